using System.Text.RegularExpressions;
using MassTransit;
using Microsoft.Extensions.Options;
using Routing.AgentGateway.Conversations;
using Routing.AgentGateway.Database;
using Routing.AgentGateway.FollowUps;
using Routing.AgentGateway.Replies;
using Routing.Contracts;

namespace Routing.AgentGateway.Agents;

/// <summary>How an agent's action ended: done, no such conversation among the agent's, not possible now, refused input, or the broker did not confirm.</summary>
internal enum ActionStatus
{
    Done,
    NotFound,
    Conflict,
    Invalid,
    Unavailable,
    InProgress,
}

/// <summary>An action's outcome, with what went wrong in words an agent reads (and the field at fault, for the API).</summary>
internal sealed record ActionResult(ActionStatus Status, string? Detail = null, string? Field = null, ReplyResult? Reply = null)
{
    public static readonly ActionResult NotFound = new(ActionStatus.NotFound, "There is no conversation with this id among yours.");

    public static readonly ActionResult Unavailable = new(ActionStatus.Unavailable, "The command was not confirmed by the broker and was not taken; try again.");

    public static ActionResult Conflict(string detail) => new(ActionStatus.Conflict, detail);

    public static ActionResult Invalid(string field, string problem) => new(ActionStatus.Invalid, $"{field} {problem}", field);
}

/// <summary>
/// What an agent can do with a conversation, whichever tool it is done from (the agent API, a Slack thread or button,
/// an email reply): always as that agent, on that agent's conversations only, with the same rules. Commands go to
/// routing and the adapters as messages, and are done once the broker confirmed them.
/// </summary>
internal sealed partial class AgentActions(ConversationStore store, TransferOfferStore offers, IPublishEndpoint bus, ReplySender replies,
    IOptions<GatewayOptions> options, TimeProvider time, GatewayDb db, IOptions<FollowUpOptions> followUpOptions)
{
    public const int MaxReplyLength = 32_000;

    public const int MaxNoteLength = 2000;

    /// <summary>The most files one reply names; each channel takes fewer or as many (ChannelFiles).</summary>
    public const int MaxReplyFiles = 20;

    /// <summary>
    /// Moves one of the agent's open conversations to another agent or a team, cold or warm (offered first). Routing decides
    /// and answers with transfer.ended (and, when it moved, conversation.released); the transfer's id is returned at once.
    /// </summary>
    public async Task<(ActionResult Result, Guid TransferId)> TransferAsync(Guid id, string agentId, string? toAgentId, string? toTeam, bool warm, string? note,
        CancellationToken ct)
    {
        if ((toAgentId is null) == (toTeam is null))
        {
            return (ActionResult.Invalid("toAgentId", "or toTeam: name one, the agent or the team to transfer to"), Guid.Empty);
        }
        if (toAgentId is not null && !IdPattern().IsMatch(toAgentId))
        {
            return (ActionResult.Invalid("toAgentId", "must be an agent id"), Guid.Empty);
        }
        if (toTeam is not null && !IdPattern().IsMatch(toTeam))
        {
            return (ActionResult.Invalid("toTeam", "must be a team name"), Guid.Empty);
        }
        if (note is { Length: > MaxNoteLength })
        {
            return (ActionResult.Invalid("note", $"is longer than {MaxNoteLength} characters"), Guid.Empty);
        }
        if (toAgentId == agentId)
        {
            return (ActionResult.Invalid("toAgentId", "is you: the conversation is yours already"), Guid.Empty);
        }
        if (await store.GetForAgentAsync(id, agentId, ct) is not { } conversation)
        {
            return (ActionResult.NotFound, Guid.Empty);
        }
        if (conversation.Status != "open")
        {
            return (ActionResult.Conflict(conversation.Status == "offered"
                ? "The conversation is offered to you: accept it before transferring it (or decline it)."
                : $"The conversation is {conversation.Status}; only an open one is transferred."), Guid.Empty);
        }
        var now = time.GetUtcNow();
        var transferId = Guid.CreateVersion7(now);
        var result = await CommandAsync(new TransferConversation
        {
            TransferId = transferId, ConversationId = id, RequestedBy = agentId, ToAgentId = toAgentId, ToTeam = toTeam?.ToLowerInvariant(), Warm = warm,
            Note = string.IsNullOrWhiteSpace(note) ? null : note.Trim(), RequestedAt = now,
        }, ct);
        return (result, transferId);
    }

    /// <summary>The agent takes, or not, a conversation another agent offered them (a warm transfer), while the offer lasts.</summary>
    public async Task<ActionResult> AnswerTransferAsync(Guid transferId, string agentId, bool accepted, string? reason, CancellationToken ct)
    {
        if (reason is { Length: > MaxNoteLength })
        {
            return ActionResult.Invalid("reason", $"is longer than {MaxNoteLength} characters");
        }
        if (await offers.ForAgentAsync(transferId, agentId, ct) is not { } offer)
        {
            return new ActionResult(ActionStatus.NotFound, "There is no transfer with this id offered to you.");
        }
        if (offer.Status != "offered" || offer.ExpiresAt <= time.GetUtcNow().UtcDateTime)
        {
            return ActionResult.Conflict(offer.Status == "answered" ? "You answered this transfer already."
                : offer.Outcome is { } outcome ? $"The transfer has ended ({outcome})." : "The offer has expired.");
        }
        var result = await CommandAsync(new AgentAnsweredTransfer
        {
            TransferId = transferId, AgentId = agentId, Accepted = accepted, Reason = string.IsNullOrWhiteSpace(reason) ? null : reason.Trim(),
            AnsweredAt = time.GetUtcNow(),
        }, ct);
        if (result.Status == ActionStatus.Done)
        {
            await offers.AnsweredAsync(transferId, agentId, ct);
        }
        return result;
    }

    [System.Text.RegularExpressions.GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$")]
    private static partial System.Text.RegularExpressions.Regex IdPattern();

    public async Task<ActionResult> AcceptAsync(Guid id, string agentId, CancellationToken ct)
    {
        if (await store.GetForAgentAsync(id, agentId, ct) is not { } conversation)
        {
            return ActionResult.NotFound;
        }
        if (conversation.Status != "offered")
        {
            return ActionResult.Conflict($"The conversation is {conversation.Status}; only an offer is accepted.");
        }
        var result = await CommandAsync(new AgentAcceptedConversation { ConversationId = id, AgentId = agentId, AcceptedAt = time.GetUtcNow() }, ct);
        if (result.Status == ActionStatus.Done)
        {
            await store.AcceptedAsync(id, agentId, time.GetUtcNow(), ct);
        }
        return result;
    }

    public async Task<ActionResult> DeclineAsync(Guid id, string agentId, string? reason, CancellationToken ct)
    {
        if (await store.GetForAgentAsync(id, agentId, ct) is not { } conversation)
        {
            return ActionResult.NotFound;
        }
        if (conversation.Status != "offered")
        {
            return ActionResult.Conflict($"The conversation is {conversation.Status}; only an offer is declined (close an open one).");
        }
        return await CommandAsync(new AgentDeclinedConversation { ConversationId = id, AgentId = agentId, Reason = reason, DeclinedAt = time.GetUtcNow() }, ct);
    }

    public async Task<ActionResult> CloseAsync(Guid id, string agentId, string? reason, CancellationToken ct)
    {
        if (await store.GetForAgentAsync(id, agentId, ct) is not { } conversation)
        {
            return ActionResult.NotFound;
        }
        if (conversation.Status == "closed")
        {
            return ActionResult.Conflict("The conversation is already closed.");
        }
        // What the agent was shown goes with it: routing keeps the conversation open if the customer wrote since.
        var seen = await store.MessagesShownAsync(id, agentId, ct);
        return await CommandAsync(new CloseConversation { ConversationId = id, ClosedBy = agentId, Reason = reason, RequestedAt = time.GetUtcNow(), MessagesSeen = seen }, ct);
    }

    /// <summary>The id the reply <see cref="ReplyAsync"/> sends with this key will have: a tool can record where it was written before it goes.</summary>
    public static Guid ReplyIdFor(string agentId, string idempotencyKey) => ReplySender.CommandIdFor(agentId, idempotencyKey);

    /// <summary>
    /// A reply to the customer; the same <paramref name="idempotencyKey"/> again is the same reply (Repeated), never a second one.
    /// Text beginning "private:" or "public:" (what an agent can write in Slack or a mail) asks for that visibility when
    /// <paramref name="visibility"/> does not say; the prefix is not sent.
    /// </summary>
    public async Task<ActionResult> ReplyAsync(Guid id, string agentId, string? text, string? channel, string? idempotencyKey, CancellationToken ct,
        IReadOnlyList<Guid>? attachments = null, string? visibility = null)
    {
        attachments ??= [];
        if (visibility is null && text is not null && VisibilityPrefix().Match(text) is { Success: true } prefix)
        {
            visibility = prefix.Groups["visibility"].Value.ToLowerInvariant();
            text = text[prefix.Length..];
        }
        if (visibility is not null && !MessageVisibility.IsKnown(visibility))
        {
            return ActionResult.Invalid("visibility", "must be public or private");
        }
        if (string.IsNullOrWhiteSpace(text) && attachments.Count == 0)
        {
            return ActionResult.Invalid("text", "is required (or attachments)");
        }
        text ??= "";
        if (attachments.Count > MaxReplyFiles)
        {
            return ActionResult.Invalid("attachments", $"are more than the {MaxReplyFiles} files a reply may carry");
        }
        if (text.Length > MaxReplyLength)
        {
            return ActionResult.Invalid("text", $"is longer than {MaxReplyLength} characters");
        }
        if (idempotencyKey is { Length: > 200 })
        {
            return ActionResult.Invalid("Idempotency-Key", "is longer than 200 characters");
        }
        if (await store.DetailForAgentAsync(id, agentId, 0, ct) is not { } detail)
        {
            return ActionResult.NotFound;
        }
        if (detail.Conversation.Status != "open")
        {
            return ActionResult.Conflict(detail.Conversation.Status == "offered"
                ? "The conversation is offered to you: accept it before replying."
                : $"The conversation is {detail.Conversation.Status}.");
        }
        ReplyResult result;
        try
        {
            result = await replies.SendAsync(detail.Conversation, detail.Context, agentId, text, channel, idempotencyKey, ct, attachments, visibility);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            return ActionResult.Unavailable;
        }
        if (result.InProgress)
        {
            return new ActionResult(ActionStatus.InProgress,
                "A request with this Idempotency-Key is still being sent to the channel; try again in a moment.", "Idempotency-Key", result);
        }
        return result.RefusedField switch
        {
            null => new ActionResult(ActionStatus.Done, Reply: result),
            "Idempotency-Key" => new ActionResult(ActionStatus.Conflict, $"The Idempotency-Key {result.Refusal}.", "Idempotency-Key", result),
            var field => new ActionResult(ActionStatus.Invalid, $"{field} {result.Refusal}", field, result),
        };
    }

    /// <summary>Publishes a command; done once the broker confirmed it within Gateway:PublishTimeout.</summary>
    /// <summary>
    /// A note, tag changes and the customer's name (where the channel gave none) on the customer of one of the agent's conversations (offered, open or closed), for whoever serves
    /// the customer next: sent to routing, which keeps them with the customer. Returns the annotation's id (the note's): the
    /// one given (a tool's own, so that the same request again is the same note), or a new one.
    /// </summary>
    public async Task<(ActionResult Result, Guid AnnotationId)> AnnotateAsync(Guid id, string agentId, string? note, IEnumerable<string?>? addTags,
        IEnumerable<string?>? removeTags, CancellationToken ct, Guid? annotationId = null, string? customerName = null)
    {
        if (CustomerAnnotations.Read(note, addTags, removeTags, customerName, out var field, out var problem) is not { } annotation)
        {
            return (ActionResult.Invalid(field!, problem!), Guid.Empty);
        }
        if (await store.GetForAgentAsync(id, agentId, ct) is null)
        {
            return (ActionResult.NotFound, Guid.Empty);
        }
        var now = time.GetUtcNow();
        var noteId = annotationId ?? Guid.CreateVersion7(now);
        var result = await CommandAsync(new AnnotateCustomer
        {
            AnnotationId = noteId, ConversationId = id, AgentId = agentId, Note = annotation.Note, AddTags = annotation.AddTags,
            RemoveTags = annotation.RemoveTags, CustomerName = annotation.Name, At = now,
        }, ct);
        return (result, noteId);
    }

    /// <summary>
    /// A follow-up on one of the agent's conversations (open or closed): <paramref name="text"/> goes to the customer at
    /// <paramref name="dueAt"/> on their channel, as the agent's private reply, and their answer comes back to this agent.
    /// The same <paramref name="followUpId"/> again (a retried request) is the same follow-up.
    /// </summary>
    public async Task<(ActionResult Result, FollowUpView? FollowUp)> ScheduleFollowUpAsync(Guid conversationId, string agentId, string? text,
        DateTimeOffset? dueAt, Guid followUpId, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (string.IsNullOrWhiteSpace(text))
        {
            return (ActionResult.Invalid("text", "is required: what the customer is asked"), null);
        }
        if (text.Length > MaxReplyLength)
        {
            return (ActionResult.Invalid("text", $"is longer than {MaxReplyLength} characters"), null);
        }
        if (dueAt is not { } due || due <= now || due > now + followUpOptions.Value.MaxAhead)
        {
            return (ActionResult.Invalid("dueAt", $"must be in the future, at most {followUpOptions.Value.MaxAhead.TotalDays:0} days ahead (or give inDays)"), null);
        }
        if (await store.GetForAgentAsync(conversationId, agentId, ct) is not { } conversation)
        {
            return (ActionResult.NotFound, null);
        }
        await using var tx = await db.BeginAsync(ct);
        await FollowUpStore.ScheduleAsync(tx, followUpId, conversationId, conversation.CustomerId, agentId, text.Trim(), due, ct);
        var followUp = await FollowUpStore.GetAsync(tx, followUpId, ct);
        await tx.CommitAsync(ct);
        return followUp!.AgentId != agentId || followUp.ConversationId != conversationId
            ? (ActionResult.Conflict("This Idempotency-Key was used for another follow-up."), null)
            : (new ActionResult(ActionStatus.Done), followUp);
    }

    /// <summary>Cancels a follow-up of the agent's that has not gone yet.</summary>
    public async Task<(ActionResult Result, FollowUpView? FollowUp)> CancelFollowUpAsync(Guid followUpId, string agentId, CancellationToken ct)
    {
        await using var tx = await db.BeginAsync(ct);
        var followUp = await FollowUpStore.CancelAsync(tx, followUpId, agentId, ct);
        await tx.CommitAsync(ct);
        return followUp switch
        {
            null => (new ActionResult(ActionStatus.NotFound, "There is no follow-up with this id among yours."), null),
            { Status: "cancelled" } => (new ActionResult(ActionStatus.Done), followUp),
            _ => (ActionResult.Conflict($"The follow-up is {followUp.Status}: only a scheduled one can be cancelled."), followUp),
        };
    }

    /// <summary>The id a follow-up requested with an Idempotency-Key has: the same key again is the same follow-up.</summary>
    public static Guid FollowUpIdFor(string agentId, string idempotencyKey) => MessageIds.NameBased(FollowUpKeys, agentId + ":" + idempotencyKey);

    private static readonly Guid FollowUpKeys = new("0c4e7a52-91d3-4b6f-a8e0-3f5b2d9c7e16");

    public async Task<ActionResult> CommandAsync<T>(T command, CancellationToken ct) where T : class
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(options.Value.PublishTimeout);
            await bus.Publish(command, timeout.Token);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            return ActionResult.Unavailable;
        }
        return new ActionResult(ActionStatus.Done);
    }

    [GeneratedRegex(@"^\s*(?<visibility>private|public)\s*:\s*", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex VisibilityPrefix();
}
