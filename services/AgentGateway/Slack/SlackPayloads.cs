using Routing.AgentGateway.Rendering;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;

namespace Routing.AgentGateway.Slack;

/// <summary>A Slack request whose body is not what Slack sends (not JSON, no payload): answered 400.</summary>
internal sealed class SlackPayloadException(string message) : Exception(message);

/// <summary>What an Events API request asks of the gateway.</summary>
internal abstract record SlackEvent
{
    /// <summary>Slack checks the request URL: the challenge is echoed.</summary>
    public sealed record UrlVerification(string? Challenge) : SlackEvent;

    /// <summary>A person's message in a thread (the gateway checks whose thread, and whether the person is its agent), with the files they shared in it.</summary>
    public sealed record ThreadReply(string Channel, string ThreadTs, string Ts, string User, string Text, IReadOnlyList<SlackFile> Files) : SlackEvent
    {
        public ThreadReply(string channel, string threadTs, string ts, string user, string text) : this(channel, threadTs, ts, user, text, []) { }
    }

    /// <summary>A person opened the app's Home tab: it shows their conversations and what they can do.</summary>
    public sealed record HomeOpened(string User) : SlackEvent;

    /// <summary>Anything else: a bot's message, an edit, a top-level message, an event the gateway does not use.</summary>
    public sealed record Ignored : SlackEvent;
}

/// <summary>A file shared in a message: Slack's id, its name and type, its size, and where the bot token downloads it.</summary>
internal sealed record SlackFile(string Id, string? Name, string? MimeType, long? Size, string? DownloadUrl);

/// <summary>What an interactivity request asks, and the Slack user who asked.</summary>
internal abstract record SlackInteraction(string UserId);

/// <summary>An Accept or Decline button pressed on an offer.</summary>
internal sealed record SlackButtonPress(string Channel, string MessageTs, string ThreadTs, string UserId, bool Accept, Guid ConversationId,
    string? MessageText, IReadOnlyList<JsonElement> Blocks) : SlackInteraction(UserId);

/// <summary>
/// Any other button of the gateway's (close, transfer, a transfer offer's answer, presence): its action and value, the
/// trigger a form needs, and where it was pressed (a message's channel and ts; none on the Home tab).
/// </summary>
internal sealed record SlackAction(string UserId, string ActionId, string Value, string? TriggerId, string? Channel, string? MessageTs,
    string? MessageText, IReadOnlyList<JsonElement> Blocks) : SlackInteraction(UserId);

/// <summary>A form (modal) submitted: its callback id, what it was opened for, and each input block's value.</summary>
internal sealed record SlackViewSubmission(string UserId, string CallbackId, string PrivateMetadata, IReadOnlyDictionary<string, string> Values)
    : SlackInteraction(UserId);

/// <summary>
/// Slack's bodies read without trusting their shape: a field of the wrong kind (an array where an object belongs, a number
/// where a string does) is as if it were missing, never an exception; only a body that is not JSON is refused.
/// </summary>
internal static class SlackPayloads
{
    public static SlackEvent ReadEvent(byte[] body)
    {
        var payload = Parse(body, "The body");
        var type = Text(payload, "type");
        if (type == "url_verification")
        {
            return new SlackEvent.UrlVerification(Text(payload, "challenge"));
        }
        if (HomeOpened(payload) is { } home)
        {
            return home;
        }
        if (type != "event_callback" || Object(payload, "event") is not { } e || Text(e, "type") != "message"
            || e.TryGetProperty("bot_id", out _) || Text(e, "subtype") is { } subtype && subtype is not ("thread_broadcast" or "file_share")
            || Text(e, "thread_ts") is not { } threadTs || Text(e, "ts") is not { } ts || ts == threadTs
            || Text(e, "channel") is not { } channel || Text(e, "user") is not { } user)
        {
            return new SlackEvent.Ignored();
        }
        var files = (Array(e, "files") ?? []).Where(f => Text(f, "id") is not null).Select(f => new SlackFile(Text(f, "id")!, Text(f, "name"), Text(f, "mimetype"),
            f.TryGetProperty("size", out var size) && size.ValueKind == JsonValueKind.Number && size.TryGetInt64(out var bytes) ? bytes : null,
            Text(f, "url_private_download") ?? Text(f, "url_private"))).ToList();
        return new SlackEvent.ThreadReply(channel, threadTs, ts, user, Text(e, "text") ?? "", files);
    }

    private static SlackEvent? HomeOpened(JsonElement payload) =>
        Text(payload, "type") == "event_callback" && Object(payload, "event") is { } e && Text(e, "type") == "app_home_opened"
        && Text(e, "tab") is null or "home" && Text(e, "user") is { } user
            ? new SlackEvent.HomeOpened(user)
            : null;

    /// <summary>
    /// An interactivity request: a button of the gateway's pressed (an offer's Accept or Decline, or any other of its
    /// actions), or one of its forms submitted; null for anything else (another app's action, a form it did not open).
    /// </summary>
    public static SlackInteraction? ReadInteraction(byte[] body)
    {
        var payload = Parse(System.Text.Encoding.UTF8.GetBytes(FormPayload(body)), "payload");
        if (Object(payload, "user") is not { } user || Text(user, "id") is not { } userId)
        {
            return null;
        }
        if (Text(payload, "type") == "view_submission")
        {
            if (Object(payload, "view") is not { } view || Text(view, "callback_id") is not { } callbackId || !SlackMessages.Forms.Contains(callbackId))
            {
                return null;
            }
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            if (Object(view, "state") is { } state && Object(state, "values") is { } blocks)
            {
                foreach (var block in blocks.EnumerateObject().Where(b => b.Value.ValueKind == JsonValueKind.Object))
                {
                    foreach (var input in block.Value.EnumerateObject().Where(i => i.Value.ValueKind == JsonValueKind.Object))
                    {
                        var selected = Array(input.Value, "selected_options")?.Select(o => Text(o, "value")).OfType<string>().ToList();
                        var value = Text(input.Value, "value") ?? (selected is null ? null : string.Join(",", selected));
                        if (value is not null)
                        {
                            values[block.Name] = value;
                        }
                    }
                }
            }
            return new SlackViewSubmission(userId, callbackId, Text(view, "private_metadata") ?? "", values);
        }
        if (Text(payload, "type") != "block_actions" || Array(payload, "actions") is not [var action, ..] || Text(action, "action_id") is not { } actionId)
        {
            return null;
        }
        var container = Object(payload, "container");
        var message = Object(payload, "message");
        var channel = container is { } c ? Text(c, "channel_id") : null;
        var messageTs = container is { } m ? Text(m, "message_ts") : null;
        if (actionId is SlackMessages.AcceptAction or SlackMessages.DeclineAction)
        {
            return message is null || channel is null || messageTs is null || !Guid.TryParse(Text(action, "value"), out var conversationId) ? null
                : new SlackButtonPress(channel, messageTs, Text(message.Value, "thread_ts") ?? messageTs, userId, actionId == SlackMessages.AcceptAction,
                    conversationId, Text(message.Value, "text"), (Array(message.Value, "blocks") ?? []).Where(b => b.ValueKind == JsonValueKind.Object).ToList());
        }
        if (!SlackMessages.Actions.Contains(actionId))
        {
            return null;
        }
        return new SlackAction(userId, actionId, Text(action, "value") ?? "", Text(payload, "trigger_id"), channel, messageTs,
            message is { } msg ? Text(msg, "text") : null,
            (message is { } withBlocks ? Array(withBlocks, "blocks") ?? [] : []).Where(b => b.ValueKind == JsonValueKind.Object).ToList());
    }

    private static string FormPayload(byte[] body)
    {
        try
        {
            var form = QueryHelpers.ParseQuery(Strict.GetString(body));
            return !form.TryGetValue("payload", out var p) ? "" : p.Count == 1 ? p[0] ?? "" : throw new SlackPayloadException("payload is given more than once");
        }
        catch (Exception ex) when (ex is System.Text.DecoderFallbackException or InvalidDataException or FormatException)
        {
            throw new SlackPayloadException("The body is not a UTF-8 form: " + ex.Message);
        }
    }

    private static readonly System.Text.UTF8Encoding Strict = new(false, throwOnInvalidBytes: true);

    /// <summary>A key twice in one object is refused: which of the two counts is what an attacker would like to choose.</summary>
    private static readonly JsonDocumentOptions Options = new() { AllowDuplicateProperties = false };

    private static JsonElement Parse(byte[] body, string what)
    {
        // the parser checks only JSON's structure: invalid bytes inside a string would throw at GetString, later
        if (!System.Text.Unicode.Utf8.IsValid(body))
        {
            throw new SlackPayloadException($"{what} is not UTF-8");
        }
        try
        {
            using var document = JsonDocument.Parse(body, Options);
            return document.RootElement.ValueKind == JsonValueKind.Object ? document.RootElement.Clone()
                : throw new SlackPayloadException($"{what} must be a JSON object");
        }
        catch (JsonException ex)
        {
            throw new SlackPayloadException($"{what} is not JSON: {ex.Message}");
        }
    }

    private static JsonElement? Object(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object ? value : null;

    private static List<JsonElement>? Array(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array
            ? value.EnumerateArray().ToList() : null;

    internal static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
