using Routing.AgentGateway.Rendering;
using Routing.AgentGateway.Events;
using Microsoft.Extensions.Options;
using Routing.AgentGateway.Agents;
using Routing.AgentGateway.Attachments;
using Routing.AgentGateway.Conversations;
using Routing.AgentGateway.Delivery;
using Routing.Contracts;
using Routing.ServiceDefaults;

namespace Routing.AgentGateway.Slack;

/// <summary>
/// Slack's requests to the gateway, each verified with the app's v0 signature and replay window (401 unsigned, 403
/// forged or stale): the Events API (an agent's reply in a conversation's thread goes to the customer) and
/// interactivity (Accept and Decline). Only the target's own Slack user acts for the agent; anyone else in a shared
/// channel is ignored. An action the broker did not confirm is answered 503, so Slack tries the request again; a
/// thread reply is the same reply however often it comes (its Slack ts is its idempotency key).
/// </summary>
internal static class SlackEndpoints
{
    private const int MaxBody = 1 << 20;
    private static readonly Guid NoticeNamespace = new("5b9e2f64-0c1d-4a83-b7e5-93d1c6f0a2e8");
    private static readonly Guid SlackFileNamespace = new("0e7d3c91-6b2a-4f58-a4c0-5d8e1b7f2c64");

    public static WebApplication MapSlackEndpoints(this WebApplication app)
    {
        app.MapPost("/slack/events", EventsAsync);
        app.MapPost("/slack/interactivity", InteractivityAsync);
        return app;
    }

    private static async Task<IResult> EventsAsync(HttpContext http, IOptions<SlackOptions> options, ThreadStore threads, TargetStore targets, DeliveryStore deliveries,
        EventSignal signal, AgentActions actions, SlackApi slack, ConversationStore conversations, TransferOfferStore offers, AttachmentUploads uploads,
        IOptions<AttachmentOptions> files, TimeProvider time, ILogger<SlackApi> logger)
    {
        var (body, refusal) = await VerifiedBodyAsync(http, options.Value, time, "application/json");
        if (refusal is not null)
        {
            return refusal;
        }
        SlackEvent request;
        try
        {
            request = SlackPayloads.ReadEvent(body);
        }
        catch (SlackPayloadException ex)
        {
            return Problem(StatusCodes.Status400BadRequest, "Invalid request", ex.Message);
        }
        if (request is SlackEvent.UrlVerification verification)
        {
            return Results.Ok(new { challenge = verification.Challenge });
        }
        if (request is SlackEvent.HomeOpened(var homeUser))
        {
            if (await targets.AgentOfSlackUserAsync(homeUser, http.RequestAborted) is { } homeAgent)
            {
                await PublishHomeAsync(slack, homeUser, homeAgent, conversations, offers, time, null, http.RequestAborted);
            }
            return Results.Ok();
        }
        if (request is not SlackEvent.ThreadReply(var channel, var threadTs, var ts, var user, var written, var shared))
        {
            return Results.Ok(); // not an agent's reply in a thread: nothing to do
        }
        var ct = http.RequestAborted;
        if (await threads.ThreadOwnerAsync(channel, threadTs, ct) is not { } owner || await targets.TargetAsync(owner.TargetId, ct) is not { } target)
        {
            return Results.Ok(); // a thread the gateway did not open
        }
        if (target.SlackUserId != user)
        {
            logger.LogInformation("Slack user {User} wrote in the thread of conversation {ConversationId}, which is {AgentId}'s: not sent", user,
                owner.ConversationId, target.AgentId);
            return Results.Ok();
        }
        var text = SlackMessages.ToPlainText(written);
        var (fileIds, fileRefusal) = await KeepFilesAsync(shared, channel, ts, target.AgentId, slack, uploads, files.Value.MaxBytes, logger, ct);
        var key = $"slack:{channel}:{ts}";
        // Where the reply was written, recorded before it goes: a fast channel's "sent" can come back before the reply call returns,
        // and its reaction needs this message. A reply refused below leaves a row no reply ever names.
        await threads.AddToolReplyAsync(AgentActions.ReplyIdFor(target.AgentId, key), target.Id, channel, ts, ct);
        var result = fileRefusal is not null
            ? new ActionResult(ActionStatus.Invalid, fileRefusal, "attachments")
            : await actions.ReplyAsync(owner.ConversationId, target.AgentId, text, null, key, ct, fileIds);
        switch (result)
        {
            case { Status: ActionStatus.Done }:
                return Results.Ok();
            case { Status: ActionStatus.Unavailable or ActionStatus.InProgress }:
                return Problem(StatusCodes.Status503ServiceUnavailable, "Message broker unavailable", result.Detail!);
            default:
                // Refused (closed, not accepted yet, no longer the agent's…): said in the thread, where the agent wrote, as a delivery
                // (retried, after Slack's rate limit when there is one), once however often Slack sends the event.
                await deliveries.EnqueueNoticeAsync(target.Id, MessageIds.NameBased(NoticeNamespace, $"{channel}:{ts}"), owner.ConversationId,
                    "Not sent to the customer: " + (result.Detail ?? "refused"), time.GetUtcNow(), ct);
                signal.DeliveriesQueued();
                return Results.Ok();
        }
    }

    /// <summary>
    /// The files the agent shared in the thread, fetched from Slack with the bot token and kept as the agent's uploads (each
    /// under an id of its Slack message and file, so Slack's retry of the event names the same files); or why not, for the thread.
    /// </summary>
    private static async Task<(IReadOnlyList<Guid> Ids, string? Refusal)> KeepFilesAsync(IReadOnlyList<SlackFile> shared, string channel, string ts, string agentId,
        SlackApi slack, AttachmentUploads uploads, long maxBytes, ILogger logger, CancellationToken ct)
    {
        var ids = new List<Guid>();
        foreach (var file in shared)
        {
            var name = file.Name ?? "the file";
            if (file.Size > maxBytes)
            {
                return ([], $"{name} is larger than the {maxBytes / (1024 * 1024)} MB the gateway keeps.");
            }
            if (file.DownloadUrl is not { } url)
            {
                return ([], $"Slack did not say where to fetch {name} from.");
            }
            try
            {
                var bytes = await slack.DownloadAsync(url, maxBytes, ct);
                if (bytes is null)
                {
                    return ([], $"{name} is larger than the {maxBytes / (1024 * 1024)} MB the gateway keeps.");
                }
                using var content = new MemoryStream(bytes);
                var kept = await uploads.UploadAsync(agentId, content, file.MimeType, file.Name, ct,
                    MessageIds.NameBased(SlackFileNamespace, $"{channel}:{ts}:{file.Id}"));
                ids.Add(kept.Id);
            }
            catch (UploadRefusedException refused)
            {
                return ([], $"{name}: {refused.Message}");
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException || (ex is OperationCanceledException && !ct.IsCancellationRequested))
            {
                logger.LogWarning("A file shared in Slack could not be fetched: {Error}", ex.GetType().Name);
                return ([], $"{name} could not be fetched from Slack (does the app have the files:read scope?). Share it again.");
            }
        }
        return (ids, null);
    }

    private static async Task<IResult> InteractivityAsync(HttpContext http, IOptions<SlackOptions> options, ThreadStore threads, TargetStore targets,
        AgentActions actions, SlackApi slack, ConversationStore conversations, TransferOfferStore offers, TimeProvider time)
    {
        var (body, refusal) = await VerifiedBodyAsync(http, options.Value, time, "application/x-www-form-urlencoded");
        if (refusal is not null)
        {
            return refusal;
        }
        SlackInteraction? interaction;
        try
        {
            interaction = SlackPayloads.ReadInteraction(body);
        }
        catch (SlackPayloadException ex)
        {
            return Problem(StatusCodes.Status400BadRequest, "Invalid request", ex.Message);
        }
        var ct = http.RequestAborted;
        switch (interaction)
        {
            case SlackButtonPress press:
                return await OfferAnswerAsync(press, threads, targets, actions, slack, ct);
            case SlackViewSubmission { CallbackId: SlackMessages.NoteForm } form:
                return await NoteFormAsync(form, targets, actions, ct);
            case SlackViewSubmission { CallbackId: SlackMessages.FollowUpForm } form:
                return await FollowUpFormAsync(form, targets, actions, time, ct);
            case SlackViewSubmission form:
                return await TransferFormAsync(form, targets, actions, ct);
            case SlackAction action:
                // buttons outside a conversation's thread (the Home tab, a transfer offer) act for the agent whose Slack user pressed them
                if (await targets.AgentOfSlackUserAsync(action.UserId, ct) is not { } agentId)
                {
                    await TellAsync(slack, action, "You are not set up as an agent here (no Slack target names you).", ct);
                    return Results.Ok();
                }
                return await ActionAsync(action, agentId, actions, slack, conversations, offers, time, ct);
            default:
                return Results.Ok();
        }
    }

    /// <summary>Accept or Decline on an offer in a conversation's thread: only the target's own Slack user answers it.</summary>
    private static async Task<IResult> OfferAnswerAsync(SlackButtonPress press, ThreadStore threads, TargetStore targets, AgentActions actions, SlackApi slack,
        CancellationToken ct)
    {
        var (channel, messageTs, threadTs, userId, accept, conversationId, messageText, shown) = press;
        if (await threads.ThreadOwnerAsync(channel, threadTs, ct) is not { } owner || owner.ConversationId != conversationId
            || await targets.TargetAsync(owner.TargetId, ct) is not { } target)
        {
            return Results.Ok();
        }
        if (target.SlackUserId != userId)
        {
            await slack.TryCallAsync("chat.postEphemeral", new { channel, user = userId, text = $"This offer is for <@{target.SlackUserId}>, not you." }, ct);
            return Results.Ok();
        }
        var result = accept
            ? await actions.AcceptAsync(conversationId, target.AgentId, ct)
            : await actions.DeclineAsync(conversationId, target.AgentId, "declined in Slack", ct);
        if (result.Status == ActionStatus.Unavailable)
        {
            return Problem(StatusCodes.Status503ServiceUnavailable, "Message broker unavailable", result.Detail!);
        }
        var note = result.Status == ActionStatus.Done
            ? (accept ? $":white_check_mark: Accepted by <@{userId}>. Reply in the thread." : $":x: Declined by <@{userId}>.")
            : ":no_entry_sign: " + SlackMessages.Escape(result.Detail ?? "Not possible now.");
        await slack.TryCallAsync("chat.update", new { channel, ts = messageTs, text = messageText ?? note, blocks = SlackMessages.Answered(shown, note) }, ct);
        return Results.Ok();
    }

    /// <summary>Close, Transfer… and Note… (each opens its form), a transfer offer's Accept or Decline, presence: always as the agent, with the agent API's rules.</summary>
    private static async Task<IResult> ActionAsync(SlackAction action, string agentId, AgentActions actions, SlackApi slack, ConversationStore conversations,
        TransferOfferStore offers, TimeProvider time, CancellationToken ct)
    {
        ActionResult result;
        string done;
        switch (action.ActionId)
        {
            case SlackMessages.TransferAction or SlackMessages.NoteAction or SlackMessages.FollowUpAction when Guid.TryParse(action.Value, out var conversationId):
                if (await conversations.GetForAgentAsync(conversationId, agentId, ct) is null)
                {
                    result = ActionResult.NotFound;
                    done = "";
                    break;
                }
                if (action.TriggerId is null)
                {
                    return Results.Ok();
                }
                await slack.TryCallAsync("views.open", new
                {
                    trigger_id = action.TriggerId,
                    view = action.ActionId switch
                    {
                        SlackMessages.NoteAction => SlackMessages.NoteView(conversationId),
                        SlackMessages.FollowUpAction => SlackMessages.FollowUpView(conversationId),
                        _ => SlackMessages.TransferView(conversationId),
                    },
                }, ct);
                return Results.Ok();
            case SlackMessages.FollowUpCancelAction when Guid.TryParse(action.Value, out var followUpId):
                result = (await actions.CancelFollowUpAsync(followUpId, agentId, ct)).Result;
                done = "Follow-up cancelled: nothing will be sent.";
                break;
            case SlackMessages.CloseAction when Guid.TryParse(action.Value, out var conversationId):
                result = await actions.CloseAsync(conversationId, agentId, "closed in Slack", ct);
                done = "Closing the conversation.";
                break;
            case SlackMessages.TransferAcceptAction or SlackMessages.TransferDeclineAction when Guid.TryParse(action.Value, out var transferId):
                var accept = action.ActionId == SlackMessages.TransferAcceptAction;
                result = await actions.AnswerTransferAsync(transferId, agentId, accept, accept ? null : "declined in Slack", ct);
                done = accept ? "Accepted: the conversation comes to you in a thread of its own." : "Declined: it stays with its agent.";
                break;
            case var presence when presence.StartsWith(SlackMessages.PresencePrefix, StringComparison.Ordinal):
                var status = presence[SlackMessages.PresencePrefix.Length..];
                result = await actions.CommandAsync(new AgentPresenceChanged { AgentId = agentId, Status = status, ChangedAt = time.GetUtcNow() }, ct);
                done = $"You are {status}.";
                break;
            default:
                return Results.Ok();
        }
        if (result.Status == ActionStatus.Unavailable)
        {
            return Problem(StatusCodes.Status503ServiceUnavailable, "Message broker unavailable", result.Detail!);
        }
        var note = result.Status == ActionStatus.Done ? done : "Not done: " + (result.Detail ?? "not possible now.");
        if (action.Channel is { } channel && action.MessageTs is { } ts && action.ActionId is SlackMessages.TransferAcceptAction or SlackMessages.TransferDeclineAction)
        {
            // the offer's message: its buttons give way to what was done
            await slack.TryCallAsync("chat.update", new { channel, ts, text = action.MessageText ?? note, blocks = SlackMessages.Answered(action.Blocks, note) }, ct);
        }
        else if (action.Channel is null)
        {
            await PublishHomeAsync(slack, action.UserId, agentId, conversations, offers, time, note, ct); // pressed on the Home tab
        }
        else
        {
            await TellAsync(slack, action, note, ct);
        }
        return Results.Ok();
    }

    /// <summary>
    /// The transfer form submitted: "ben" or "team:billing", warm or not, a note. A refusal the gateway can tell at once
    /// (not the agent's, not open, bad input) is shown on the form; routing's answer comes as transfer.ended in the thread.
    /// </summary>
    private static async Task<IResult> TransferFormAsync(SlackViewSubmission form, TargetStore targets, AgentActions actions, CancellationToken ct)
    {
        if (!Guid.TryParse(form.PrivateMetadata, out var conversationId))
        {
            return Results.Ok();
        }
        if (await targets.AgentOfSlackUserAsync(form.UserId, ct) is not { } agentId)
        {
            return FormError(SlackMessages.TransferTo, "You are not set up as an agent here (no Slack target names you).");
        }
        var to = form.Values.GetValueOrDefault(SlackMessages.TransferTo)?.Trim() ?? "";
        var team = to.StartsWith("team:", StringComparison.OrdinalIgnoreCase) ? to[5..].Trim() : null;
        var (result, _) = await actions.TransferAsync(conversationId, agentId, team is null ? to.TrimStart('@') : null, team,
            form.Values.GetValueOrDefault(SlackMessages.TransferWarm)?.Contains("warm", StringComparison.Ordinal) == true,
            form.Values.GetValueOrDefault(SlackMessages.TransferNote), ct);
        return result.Status switch
        {
            ActionStatus.Done => Results.Ok(),
            ActionStatus.Unavailable => Problem(StatusCodes.Status503ServiceUnavailable, "Message broker unavailable", result.Detail!),
            ActionStatus.Invalid when result.Field == "note" => FormError(SlackMessages.TransferNote, result.Detail!),
            _ => FormError(SlackMessages.TransferTo, result.Detail ?? "Not possible now."),
        };
    }

    /// <summary>
    /// The note form submitted: a note on the customer and tags ("vip, returns"; "-vip" removes one), for whoever serves the
    /// customer next. A refusal the gateway can tell at once (bad input, not the agent's conversation) is shown on the form.
    /// </summary>
    private static async Task<IResult> NoteFormAsync(SlackViewSubmission form, TargetStore targets, AgentActions actions, CancellationToken ct)
    {
        if (!Guid.TryParse(form.PrivateMetadata, out var conversationId))
        {
            return Results.Ok();
        }
        if (await targets.AgentOfSlackUserAsync(form.UserId, ct) is not { } agentId)
        {
            return FormError(SlackMessages.NoteText, "You are not set up as an agent here (no Slack target names you).");
        }
        var tags = (form.Values.GetValueOrDefault(SlackMessages.NoteTags) ?? "").Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var (result, _) = await actions.AnnotateAsync(conversationId, agentId, form.Values.GetValueOrDefault(SlackMessages.NoteText),
            tags.Where(t => !t.StartsWith('-')), tags.Where(t => t.StartsWith('-')).Select(t => t[1..]), ct,
            customerName: form.Values.GetValueOrDefault(SlackMessages.NoteName));
        return result.Status switch
        {
            ActionStatus.Done => Results.Ok(),
            ActionStatus.Unavailable => Problem(StatusCodes.Status503ServiceUnavailable, "Message broker unavailable", result.Detail!),
            ActionStatus.Invalid when result.Field is "addTags" or "removeTags" => FormError(SlackMessages.NoteTags, result.Detail!),
            ActionStatus.Invalid when result.Field == "name" => FormError(SlackMessages.NoteName, result.Detail!),
            _ => FormError(SlackMessages.NoteText, result.Detail ?? "Not possible now."),
        };
    }

    /// <summary>
    /// The follow-up form submitted: the text, and in how many days (fractions allowed) it goes. A refusal the gateway can
    /// tell at once (no text, a number of days that is not one, not the agent's conversation) is shown on the form.
    /// </summary>
    private static async Task<IResult> FollowUpFormAsync(SlackViewSubmission form, TargetStore targets, AgentActions actions, TimeProvider time,
        CancellationToken ct)
    {
        if (!Guid.TryParse(form.PrivateMetadata, out var conversationId))
        {
            return Results.Ok();
        }
        if (await targets.AgentOfSlackUserAsync(form.UserId, ct) is not { } agentId)
        {
            return FormError(SlackMessages.FollowUpText, "You are not set up as an agent here (no Slack target names you).");
        }
        if (!double.TryParse(form.Values.GetValueOrDefault(SlackMessages.FollowUpDays), System.Globalization.NumberStyles.AllowDecimalPoint,
                System.Globalization.CultureInfo.InvariantCulture, out var days) || days <= 0 || days > 3650)
        {
            return FormError(SlackMessages.FollowUpDays, "A number of days, such as 3 or 0.5.");
        }
        var (result, _) = await actions.ScheduleFollowUpAsync(conversationId, agentId, form.Values.GetValueOrDefault(SlackMessages.FollowUpText),
            time.GetUtcNow() + TimeSpan.FromDays(days), Guid.CreateVersion7(), ct);
        return result.Status switch
        {
            ActionStatus.Done => Results.Ok(),
            ActionStatus.Invalid when result.Field == "dueAt" => FormError(SlackMessages.FollowUpDays, result.Detail!),
            _ => FormError(SlackMessages.FollowUpText, result.Detail ?? "Not possible now."),
        };
    }

    private static IResult FormError(string block, string message) =>
        Results.Json(new { response_action = "errors", errors = new Dictionary<string, string> { [block] = message } });

    /// <summary>An answer only the person who pressed sees, where they pressed it.</summary>
    private static async Task TellAsync(SlackApi slack, SlackAction action, string text, CancellationToken ct)
    {
        if (action.Channel is { } channel)
        {
            await slack.TryCallAsync("chat.postEphemeral", new { channel, user = action.UserId, text = SlackMessages.Escape(text) }, ct);
        }
    }

    /// <summary>The agent's Home tab, written afresh: their offered and open conversations and the transfers offered to them.</summary>
    private static async Task PublishHomeAsync(SlackApi slack, string slackUserId, string agentId, ConversationStore conversations, TransferOfferStore offers,
        TimeProvider time, string? notice, CancellationToken ct)
    {
        var active = await conversations.ListForAgentAsync(agentId, ["offered", "open"], 40, ct);
        var offered = (await offers.OpenForAgentAsync(agentId, time.GetUtcNow(), ct)).Select(o => (o.TransferId, o.FromAgentId, o.Note)).ToList();
        await slack.TryCallAsync("views.publish", new { user_id = slackUserId, view = SlackMessages.Home(active, offered, notice) }, ct);
    }

    /// <summary>The raw body once its media type is Slack's and its Slack signature is valid; otherwise the refusal (404 when Slack is not set up here).</summary>
    private static async Task<(byte[] Body, IResult? Refusal)> VerifiedBodyAsync(HttpContext http, SlackOptions options, TimeProvider time, string mediaType)
    {
        if (string.IsNullOrEmpty(options.SigningSecret))
        {
            return ([], Problem(StatusCodes.Status404NotFound, "Slack is not configured", "Gateway:Slack:SigningSecret is not set."));
        }
        if (!Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(http.Request.ContentType, out var type)
            || !string.Equals(type.MediaType.Value, mediaType, StringComparison.OrdinalIgnoreCase))
        {
            return ([], Problem(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", $"Slack sends this request as {mediaType}."));
        }
        var body = await CappedBody.ReadAsync(http.Request, MaxBody, http.RequestAborted);
        if (body is null)
        {
            return ([], Problem(StatusCodes.Status413PayloadTooLarge, "Request too large", $"Slack requests are at most {MaxBody} bytes here."));
        }
        SlackCheck Check(string secret) => SlackSignature.Verify(secret, http.Request.Headers[SlackSignature.TimestampHeader],
            http.Request.Headers[SlackSignature.SignatureHeader], body, time.GetUtcNow(), options.ReplayWindow);
        // a regenerated signing secret: the previous ones hold until Slack signs with the new one
        var check = options.PreviousSigningSecrets.Where(s => s.Length > 0).Select(Check).Aggregate(Check(options.SigningSecret),
            (result, previous) => previous == SlackCheck.Valid ? SlackCheck.Valid : result);
        return check switch
        {
            SlackCheck.Valid => (body, null),
            SlackCheck.Missing => (body, Problem(StatusCodes.Status401Unauthorized, "Unsigned request",
                $"{SlackSignature.SignatureHeader} and {SlackSignature.TimestampHeader} are required.")),
            SlackCheck.Stale => (body, Problem(StatusCodes.Status403Forbidden, "Stale request",
                $"{SlackSignature.TimestampHeader} is outside the replay window of {options.ReplayWindow}.")),
            _ => (body, Problem(StatusCodes.Status403Forbidden, "Invalid signature", "The Slack signature does not match the request.")),
        };
    }

    private static IResult Problem(int status, string title, string detail) => Results.Problem(statusCode: status, title: title, detail: detail);
}
