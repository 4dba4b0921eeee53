using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Routing.AgentGateway.Agents;
using Routing.AgentGateway.Delivery;
using Routing.Contracts;

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

    public static WebApplication MapSlackEndpoints(this WebApplication app)
    {
        app.MapPost("/slack/events", EventsAsync);
        app.MapPost("/slack/interactivity", InteractivityAsync);
        return app;
    }

    private static async Task<IResult> EventsAsync(HttpContext http, IOptions<SlackOptions> options, DeliveryStore store, DeliveryWakeup wakeup,
        AgentActions actions, TimeProvider time, ILogger<SlackApi> logger)
    {
        var (body, refusal) = await VerifiedBodyAsync(http, options.Value, time);
        if (refusal is not null)
        {
            return refusal;
        }
        JsonElement payload;
        try
        {
            payload = JsonDocument.Parse(body).RootElement;
        }
        catch (JsonException ex)
        {
            return Problem(StatusCodes.Status400BadRequest, "Invalid request", "The body is not JSON: " + ex.Message);
        }
        var type = Text(payload, "type");
        if (type == "url_verification")
        {
            return Results.Ok(new { challenge = Text(payload, "challenge") });
        }
        if (type != "event_callback" || !payload.TryGetProperty("event", out var e) || Text(e, "type") != "message"
            || e.TryGetProperty("bot_id", out _) || Text(e, "subtype") is { } subtype && subtype != "thread_broadcast"
            || Text(e, "thread_ts") is not { } threadTs || Text(e, "ts") is not { } ts || ts == threadTs
            || Text(e, "channel") is not { } channel || Text(e, "user") is not { } user)
        {
            return Results.Ok(); // not an agent's reply in a thread: nothing to do
        }
        var ct = http.RequestAborted;
        if (await store.ThreadOwnerAsync(channel, threadTs, ct) is not { } owner || await store.TargetAsync(owner.TargetId, ct) is not { } target)
        {
            return Results.Ok(); // a thread the gateway did not open
        }
        if (target.SlackUserId != user)
        {
            logger.LogInformation("Slack user {User} wrote in the thread of conversation {ConversationId}, which is {AgentId}'s: not sent", user,
                owner.ConversationId, target.AgentId);
            return Results.Ok();
        }
        var text = SlackMessages.ToPlainText(Text(e, "text") ?? "");
        var result = await actions.ReplyAsync(owner.ConversationId, target.AgentId, text, null, $"slack:{channel}:{ts}", ct);
        switch (result)
        {
            case { Status: ActionStatus.Done, Reply: { } reply }:
                await store.AddToolReplyAsync(reply.Id, target.Id, channel, ts, ct);
                return Results.Ok();
            case { Status: ActionStatus.Unavailable or ActionStatus.InProgress }:
                return Problem(StatusCodes.Status503ServiceUnavailable, "Message broker unavailable", result.Detail!);
            default:
                // Refused (closed, not accepted yet, no longer the agent's…): said in the thread, where the agent wrote, as a delivery
                // (retried, after Slack's rate limit when there is one), once however often Slack sends the event.
                await store.EnqueueNoticeAsync(target.Id, MessageIds.NameBased(NoticeNamespace, $"{channel}:{ts}"), owner.ConversationId,
                    "Not sent to the customer: " + (result.Detail ?? "refused"), time.GetUtcNow(), ct);
                wakeup.Wake();
                return Results.Ok();
        }
    }

    private static async Task<IResult> InteractivityAsync(HttpContext http, IOptions<SlackOptions> options, DeliveryStore store, AgentActions actions,
        SlackApi slack, TimeProvider time)
    {
        var (body, refusal) = await VerifiedBodyAsync(http, options.Value, time);
        if (refusal is not null)
        {
            return refusal;
        }
        JsonElement payload;
        try
        {
            var form = QueryHelpers.ParseQuery(System.Text.Encoding.UTF8.GetString(body));
            payload = JsonDocument.Parse(form.TryGetValue("payload", out var p) ? p.ToString() : "").RootElement;
        }
        catch (JsonException ex)
        {
            return Problem(StatusCodes.Status400BadRequest, "Invalid request", "payload is not JSON: " + ex.Message);
        }
        if (Text(payload, "type") != "block_actions" || !payload.TryGetProperty("actions", out var pressed) || pressed.GetArrayLength() == 0
            || !payload.TryGetProperty("message", out var message) || !payload.TryGetProperty("container", out var container)
            || Text(container, "channel_id") is not { } channel || Text(container, "message_ts") is not { } messageTs
            || !payload.TryGetProperty("user", out var user) || Text(user, "id") is not { } userId)
        {
            return Results.Ok();
        }
        var action = pressed[0];
        var actionId = Text(action, "action_id");
        if (actionId is not (SlackMessages.AcceptAction or SlackMessages.DeclineAction) || !Guid.TryParse(Text(action, "value"), out var conversationId))
        {
            return Results.Ok();
        }
        var ct = http.RequestAborted;
        var threadTs = Text(message, "thread_ts") ?? messageTs;
        if (await store.ThreadOwnerAsync(channel, threadTs, ct) is not { } owner || owner.ConversationId != conversationId
            || await store.TargetAsync(owner.TargetId, ct) is not { } target)
        {
            return Results.Ok();
        }
        if (target.SlackUserId != userId)
        {
            await slack.TryCallAsync("chat.postEphemeral", new { channel, user = userId, text = $"This offer is for <@{target.SlackUserId}>, not you." }, ct);
            return Results.Ok();
        }
        var accept = actionId == SlackMessages.AcceptAction;
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
        var blocks = message.TryGetProperty("blocks", out var shown) ? SlackMessages.Answered(shown.EnumerateArray(), note) : [];
        await slack.TryCallAsync("chat.update", new { channel, ts = messageTs, text = Text(message, "text") ?? note, blocks }, ct);
        return Results.Ok();
    }

    /// <summary>The raw body once its Slack signature is valid; otherwise the refusal (404 when Slack is not set up here).</summary>
    private static async Task<(byte[] Body, IResult? Refusal)> VerifiedBodyAsync(HttpContext http, SlackOptions options, TimeProvider time)
    {
        if (string.IsNullOrEmpty(options.SigningSecret))
        {
            return ([], Problem(StatusCodes.Status404NotFound, "Slack is not configured", "Gateway:Slack:SigningSecret is not set."));
        }
        if (http.Request.ContentLength > MaxBody)
        {
            return ([], Problem(StatusCodes.Status413PayloadTooLarge, "Request too large", $"Slack requests are at most {MaxBody} bytes here."));
        }
        using var buffer = new MemoryStream();
        await http.Request.Body.CopyToAsync(buffer, http.RequestAborted);
        var body = buffer.ToArray();
        var check = SlackSignature.Verify(options.SigningSecret, http.Request.Headers[SlackSignature.TimestampHeader], http.Request.Headers[SlackSignature.SignatureHeader],
            body, time.GetUtcNow(), options.ReplayWindow);
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

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
