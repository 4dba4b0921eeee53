using System.Globalization;
using System.Text.Json;
using Routing.AgentGateway.Events;

namespace Routing.AgentGateway.Delivery;

/// <summary>A line of a conversation as a tool shows it: who wrote, on which channel, when, and what.</summary>
internal sealed record ToolLine(string From, string Channel, DateTimeOffset At, string? Subject, string Text, IReadOnlyList<string> Attachments, bool FromAgent);

/// <summary>
/// An agent event read back from its stored JSON (the very bytes webhooks carry), in the terms Slack messages and
/// emails to agents are written in. Every event has a type and a conversation; the rest depends on the type.
/// </summary>
internal sealed record ToolEvent(string Type, Guid ConversationId, DateTimeOffset Timestamp)
{
    public string? CustomerName { get; init; }
    public string Channel { get; init; } = "";
    public string? RoutingSummary { get; init; }
    public bool RequiresAccept { get; init; }
    public DateTimeOffset? OfferExpiresAt { get; init; }
    public IReadOnlyList<string> Addresses { get; init; } = [];
    public IReadOnlyList<string> Owners { get; init; } = [];
    public IReadOnlyList<string> History { get; init; } = [];
    public IReadOnlyList<ToolLine> Earlier { get; init; } = [];
    public IReadOnlyList<ToolLine> Messages { get; init; } = [];
    public string? Reason { get; init; }
    public string? ClosedBy { get; init; }
    public Guid? ReplyId { get; init; }
    public string? ReplyStatus { get; init; }
    public string? ErrorCode { get; init; }
    public string? ErrorMessage { get; init; }
    public string? NoticeText { get; init; }

    /// <summary>"Maria Rossi", or the first address when the customer has no name yet.</summary>
    public string CustomerLabel => CustomerName ?? Addresses.FirstOrDefault() ?? "the customer";

    /// <summary>A channel as agents call it: SMS, WhatsApp, Messenger, X, email.</summary>
    public static string ChannelName(string channel) => channel switch
    {
        "sms" => "SMS",
        "whatsapp" => "WhatsApp",
        "facebook" => "Messenger",
        "twitter" => "X",
        "email" => "email",
        _ => channel,
    };

    public static ToolEvent Parse(byte[] body)
    {
        var root = JsonDocument.Parse(body).RootElement;
        var type = root.GetProperty("type").GetString()!;
        var data = root.GetProperty("data");
        var timestamp = root.GetProperty("timestamp").GetDateTimeOffset();
        return type switch
        {
            EventTypes.ConversationAssigned => Assigned(data, timestamp),
            EventTypes.MessageReceived => new ToolEvent(type, data.GetProperty("conversationId").GetGuid(), timestamp)
            {
                Channel = Text(data.GetProperty("message"), "channel") ?? "",
                Messages = [Line(data.GetProperty("message"))],
            },
            EventTypes.ReplyStatus => new ToolEvent(type, data.GetProperty("conversationId").GetGuid(), timestamp)
            {
                Channel = Text(data, "channel") ?? "",
                ReplyId = data.GetProperty("replyId").GetGuid(),
                ReplyStatus = Text(data, "status"),
                ErrorCode = Text(data, "errorCode"),
                ErrorMessage = Text(data, "errorMessage"),
            },
            _ => new ToolEvent(type, data.GetProperty("conversationId").GetGuid(), timestamp)
            {
                Reason = Text(data, "reason"),
                ClosedBy = Text(data, "closedBy"),
                NoticeText = Text(data, "text"),
            },
        };
    }

    private static ToolEvent Assigned(JsonElement data, DateTimeOffset timestamp)
    {
        var conversation = data.GetProperty("conversation");
        var customer = data.GetProperty("customer");
        return new ToolEvent(EventTypes.ConversationAssigned, conversation.GetProperty("id").GetGuid(), timestamp)
        {
            CustomerName = Text(customer, "name"),
            Channel = Text(conversation, "channel") ?? "",
            RoutingSummary = data.GetProperty("routing").GetProperty("summary").GetString(),
            RequiresAccept = data.TryGetProperty("requiresAccept", out var accept) && accept.ValueKind == JsonValueKind.True,
            OfferExpiresAt = data.TryGetProperty("offerExpiresAt", out var expires) && expires.ValueKind == JsonValueKind.String ? expires.GetDateTimeOffset() : null,
            Addresses = Items(customer, "addresses").Select(a => $"{Text(a, "kind")}: {Text(a, "value")}").ToList(),
            Owners = Items(customer, "owners").Select(o => o.GetString()!).ToList(),
            History = Items(customer, "history")
                .Select(h => $"{Text(h, "agentId")}, last {h.GetProperty("lastHandledAt").GetDateTimeOffset().ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}")
                .ToList(),
            Earlier = Items(customer, "earlierMessages").Select(m => new ToolLine(
                Sender(m.GetProperty("sender")), Text(m, "channel") ?? "", m.GetProperty("receivedAt").GetDateTimeOffset(), Text(m, "subject"),
                Text(m, "text") ?? "", Attachments(m), false)).ToList(),
            Messages = Items(data, "messages").Select(Line).ToList(),
        };
    }

    /// <summary>A message of the conversation (MessageView's JSON): the customer's, or an agent's reply.</summary>
    private static ToolLine Line(JsonElement m)
    {
        var fromAgent = Text(m, "direction") == "out";
        return new ToolLine(fromAgent ? Text(m, "agentId") ?? "agent" : Text(m, "displayName") ?? Text(m, "addressValue") ?? "customer",
            Text(m, "channel") ?? "", m.GetProperty("at").GetDateTimeOffset(), Text(m, "subject"), Text(m, "text") ?? "", Attachments(m), fromAgent);
    }

    private static string Sender(JsonElement address) => Text(address, "displayName") ?? Text(address, "value") ?? "customer";

    private static IReadOnlyList<string> Attachments(JsonElement m) =>
        Items(m, "attachments").Select(a => Text(a, "url") ?? Text(a, "fileName") ?? Text(a, "contentType") ?? "attachment").ToList();

    private static IEnumerable<JsonElement> Items(JsonElement element, string name) =>
        element.TryGetProperty(name, out var items) && items.ValueKind == JsonValueKind.Array ? items.EnumerateArray() : [];

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
