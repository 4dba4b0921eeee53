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

    /// <summary>A person's message in a thread (the gateway checks whose thread, and whether the person is its agent).</summary>
    public sealed record ThreadReply(string Channel, string ThreadTs, string Ts, string User, string Text) : SlackEvent;

    /// <summary>Anything else: a bot's message, an edit, a top-level message, an event the gateway does not use.</summary>
    public sealed record Ignored : SlackEvent;
}

/// <summary>An Accept or Decline button pressed on an offer.</summary>
internal sealed record SlackButtonPress(string Channel, string MessageTs, string ThreadTs, string UserId, bool Accept, Guid ConversationId,
    string? MessageText, IReadOnlyList<JsonElement> Blocks);

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
        if (type != "event_callback" || Object(payload, "event") is not { } e || Text(e, "type") != "message"
            || e.TryGetProperty("bot_id", out _) || Text(e, "subtype") is { } subtype && subtype != "thread_broadcast"
            || Text(e, "thread_ts") is not { } threadTs || Text(e, "ts") is not { } ts || ts == threadTs
            || Text(e, "channel") is not { } channel || Text(e, "user") is not { } user)
        {
            return new SlackEvent.Ignored();
        }
        return new SlackEvent.ThreadReply(channel, threadTs, ts, user, Text(e, "text") ?? "");
    }

    /// <summary>The button press of an interactivity request (a form with a JSON "payload"), or null for anything else.</summary>
    public static SlackButtonPress? ReadButtonPress(byte[] body)
    {
        string json;
        try
        {
            var form = QueryHelpers.ParseQuery(Strict.GetString(body));
            json = !form.TryGetValue("payload", out var p) ? "" : p.Count == 1 ? p[0] ?? "" : throw new SlackPayloadException("payload is given more than once");
        }
        catch (Exception ex) when (ex is System.Text.DecoderFallbackException or InvalidDataException or FormatException)
        {
            throw new SlackPayloadException("The body is not a UTF-8 form: " + ex.Message);
        }
        var payload = Parse(System.Text.Encoding.UTF8.GetBytes(json), "payload");
        if (Text(payload, "type") != "block_actions" || Array(payload, "actions") is not [var action, ..]
            || Object(payload, "message") is not { } message || Object(payload, "container") is not { } container
            || Text(container, "channel_id") is not { } channel || Text(container, "message_ts") is not { } messageTs
            || Object(payload, "user") is not { } user || Text(user, "id") is not { } userId
            || Text(action, "action_id") is not { } actionId || actionId is not (SlackMessages.AcceptAction or SlackMessages.DeclineAction)
            || !Guid.TryParse(Text(action, "value"), out var conversationId))
        {
            return null;
        }
        return new SlackButtonPress(channel, messageTs, Text(message, "thread_ts") ?? messageTs, userId, actionId == SlackMessages.AcceptAction,
            conversationId, Text(message, "text"), (Array(message, "blocks") ?? []).Where(b => b.ValueKind == JsonValueKind.Object).ToList());
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
