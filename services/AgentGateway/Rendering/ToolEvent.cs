using System.Globalization;
using System.Text.Json;
using Routing.AgentGateway.Attachments;
using Routing.AgentGateway.Events;
using Routing.Contracts;

namespace Routing.AgentGateway.Rendering;

/// <summary>
/// A line of a conversation as a tool shows it: who wrote, on which channel, when, and what. <paramref name="Public"/> says,
/// for a message everyone can read, what it is and what it answers ("public reply on X, answering @acme: “Free delivery…”"),
/// and <paramref name="Permalink"/> where to see it; both null for a private message.
/// </summary>
internal sealed record ToolLine(string From, string Channel, DateTimeOffset At, string? Subject, string Text, IReadOnlyList<ToolAttachment> Attachments,
    bool FromAgent, string? Public = null, string? Permalink = null)
{
    /// <summary>What a tool says under a customer's public message: the reply follows it into public unless the agent says otherwise.</summary>
    public const string PublicReplyHint = "your reply is posted publicly under it; begin it with \"private:\" to answer in a direct message instead";

    /// <summary>The channel as agents call it for this line: a comment on Facebook, a direct message on Messenger.</summary>
    public string ChannelLabel => ToolEvent.ChannelName(Channel, Public is null ? MessageVisibility.Private : MessageVisibility.Public);

    public static ToolLine For(string from, string channel, DateTimeOffset at, string? subject, string text, IReadOnlyList<ToolAttachment> attachments,
        bool fromAgent, string visibility, PublicPost? post)
    {
        if (visibility != MessageVisibility.Public)
        {
            return new ToolLine(from, channel, at, subject, text, attachments, fromAgent);
        }
        var what = fromAgent ? "public reply" : "public " + (post?.Kind ?? "post");
        var parent = post?.ParentAuthor is { } author ? $", answering {(channel == Channels.Twitter ? "@" : "")}{author}" : "";
        var quoted = post?.ParentText is { Length: > 0 } words ? $": “{(words.Length > 200 ? words[..199] + "…" : words)}”" : "";
        return new ToolLine(from, channel, at, subject, text, attachments, fromAgent,
            $"{what} on {ToolEvent.ChannelName(channel, MessageVisibility.Public)}{parent}{quoted}", post?.Permalink);
    }
}

/// <summary>An attachment as a tool shows it: its name (or type), the gateway's id for it, and the signed link the sender adds.</summary>
internal sealed record ToolAttachment(string Label, Guid? Id, string? Link = null)
{
    public override string ToString() => Link is null ? Label : $"{Label}: {Link}";
}

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

    /// <summary>What agents wrote about the customer, newest first: "anna, 2026-12-04: text".</summary>
    public IReadOnlyList<string> CustomerNotes { get; init; } = [];

    public IReadOnlyList<string> Tags { get; init; } = [];
    public IReadOnlyList<ToolLine> Earlier { get; init; } = [];
    public IReadOnlyList<ToolLine> Messages { get; init; } = [];
    public string? Reason { get; init; }
    public string? ClosedBy { get; init; }
    public Guid? ReplyId { get; init; }
    public string? ReplyStatus { get; init; }
    public string? ErrorCode { get; init; }
    public string? ErrorMessage { get; init; }
    public string? NoticeText { get; init; }
    public Guid? TransferId { get; init; }
    public string? TransferFrom { get; init; }
    public string? Note { get; init; }
    public DateTimeOffset? HoldUntil { get; init; }

    /// <summary>follow-up.changed: its status (scheduled, sent, cancelled, failed), when it is due, and what it asks.</summary>
    public string? FollowUpStatus { get; init; }

    public DateTimeOffset? FollowUpDueAt { get; init; }

    public string? FollowUpText { get; init; }

    public Guid? FollowUpId { get; init; }

    /// <summary>follow-up.changed in words, for a tool's thread; null for another event.</summary>
    public string? FollowUpSentence => FollowUpStatus switch
    {
        null => null,
        "scheduled" => $"Follow-up scheduled for {FollowUpDueAt?.UtcDateTime:yyyy-MM-dd HH:mm} UTC; the customer's answer comes to you first",
        "sent" => "Follow-up sent to the customer; their answer comes to you first",
        "cancelled" => Reason is null ? "Follow-up cancelled" : $"Follow-up cancelled: {Reason}",
        _ => $"Follow-up not sent: {Reason ?? "refused"}",
    };

    /// <summary>conversation.held in words: who waits for the agent, until when, and what taking it needs.</summary>
    public string HeldSentence =>
        $"{CustomerLabel} is waiting for you on {ChannelLabel} until {HoldUntil?.UtcDateTime:HH:mm} UTC: free a slot, or become available, " +
        "before then to take the conversation; after that it goes to another agent.";

    /// <summary>"Maria Rossi", or the first address when the customer has no name yet.</summary>
    public string CustomerLabel => CustomerName ?? Addresses.FirstOrDefault() ?? "the customer";

    /// <summary>
    /// The conversation's channel as the latest message shows it: a Facebook conversation whose latest words are a comment under
    /// a Page post is on Facebook, not on Messenger (whose name the channel has for direct messages).
    /// </summary>
    public string ChannelLabel => ChannelName(Channel, Messages.Count > 0 && Messages[^1].Public is not null ? MessageVisibility.Public : MessageVisibility.Private);

    /// <summary>A channel as agents call it for a message of this visibility: Facebook's public messages are on Facebook, its direct ones on Messenger.</summary>
    public static string ChannelName(string channel, string visibility) =>
        channel == Channels.Facebook && visibility == MessageVisibility.Public ? "Facebook" : ChannelName(channel);

    /// <summary>A channel as agents call it: SMS, WhatsApp, Messenger, X, email; another by its name, capitalized (Telegram, Instagram).</summary>
    public static string ChannelName(string channel) => channel switch
    {
        "sms" => "SMS",
        "whatsapp" => "WhatsApp",
        "facebook" => "Messenger",
        "twitter" => "X",
        "email" => "email",
        "" => channel,
        _ => char.ToUpperInvariant(channel[0]) + channel[1..],
    };

    /// <summary>Reads the stored event (the very bytes webhooks carry) back into its record; a type this gateway does not know is shown by its type alone.</summary>
    public static ToolEvent Parse(byte[] body)
    {
        if (AgentEventLog.Read(body) is not var (type, timestamp, data))
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            return new ToolEvent(root.GetProperty("type").GetString() ?? "", root.GetProperty("data").GetProperty("conversationId").GetGuid(),
                root.GetProperty("timestamp").GetDateTimeOffset());
        }
        var e = new ToolEvent(type, data.ConversationId, timestamp);
        return data switch
        {
            ConversationAssignedData d => e with
            {
                CustomerName = d.Customer.Name,
                Channel = d.Conversation.Channel,
                RoutingSummary = d.Routing.Summary,
                RequiresAccept = d.RequiresAccept,
                OfferExpiresAt = d.OfferExpiresAt,
                Addresses = d.Customer.Addresses.Select(a => $"{a.Kind}: {a.Value}").ToList(),
                Owners = d.Customer.Owners,
                History = d.Customer.History.Select(h => $"{h.AgentId}, last {h.LastHandledAt.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}").ToList(),
                CustomerNotes = d.Customer.Notes.Select(n => $"{n.Author}, {n.WrittenAt.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}: {n.Text}").ToList(),
                Tags = d.Customer.Tags,
                Earlier = d.Customer.EarlierMessages.Select(m => ToolLine.For(m.Sender.DisplayName ?? m.Sender.Value, m.Channel, m.ReceivedAt, m.Subject,
                    m.Text ?? "", Attachments(m.Attachments), false, m.Visibility, m.Post)).ToList(),
                Messages = d.Messages.Select(Line).ToList(),
            },
            MessageReceivedData d => e with { Channel = d.Message.Channel, Messages = [Line(d.Message)] },
            ReplyStatusData d => e with
            {
                Channel = d.Channel, ReplyId = d.ReplyId, ReplyStatus = d.Status, ErrorCode = d.ErrorCode, ErrorMessage = d.ErrorMessage,
            },
            ConversationReleasedData d => e with { Reason = d.ReasonText },
            ConversationClosedData d => e with { Reason = d.Reason, ClosedBy = d.ClosedBy },
            NoticeData d => e with { NoticeText = d.Text },
            FollowUpData d => e with { FollowUpId = d.FollowUpId, FollowUpStatus = d.Status, FollowUpDueAt = d.DueAt, FollowUpText = d.Text, Reason = d.Reason },
            TransferOfferedData d => e with
            {
                CustomerName = d.CustomerName,
                Channel = d.Channel,
                TransferId = d.TransferId,
                TransferFrom = d.FromAgentId,
                Note = d.Note,
                OfferExpiresAt = d.ExpiresAt,
                Messages = d.Messages.Select(m => ToolLine.For(m.Sender.DisplayName ?? m.Sender.Value, m.Channel, m.ReceivedAt, m.Subject, m.Text ?? "",
                    Attachments(m.Attachments), false, m.Visibility, m.Post)).ToList(),
            },
            TransferEndedData d => e with { TransferId = d.TransferId, Reason = d.Text },
            ConversationHeldData d => e with
            {
                CustomerName = d.CustomerName, Channel = d.Channel, HoldUntil = d.HoldUntil, Messages = d.Messages.Select(Line).ToList(),
            },
            _ => e,
        };
    }

    /// <summary>A message of the conversation: the customer's, or an agent's reply.</summary>
    private static ToolLine Line(MessageView m)
    {
        var fromAgent = m.Direction == "out";
        return ToolLine.For(fromAgent ? m.AgentId ?? "agent" : m.DisplayName ?? m.AddressValue, m.Channel, new DateTimeOffset(DateTime.SpecifyKind(m.At, DateTimeKind.Utc)),
            m.Subject, m.Text ?? "", Attachments(m.Attachments), fromAgent, m.Visibility, m.Post);
    }

    private static IReadOnlyList<ToolAttachment> Attachments(IReadOnlyList<MessageAttachment> attachments) =>
        attachments.Select(a => new ToolAttachment(a.FileName ?? a.ContentType, AttachmentIds.FromPath(a.Url))).ToList();

    /// <summary>The event with every attachment's link made by <paramref name="link"/> (a signed one, for a tool whose reader has no token).</summary>
    public ToolEvent WithLinks(Func<Guid, string> link)
    {
        IReadOnlyList<ToolLine> Linked(IReadOnlyList<ToolLine> lines) =>
            lines.Select(l => l.Attachments.Count == 0 ? l : l with { Attachments = l.Attachments.Select(a => a.Id is { } id ? a with { Link = link(id) } : a).ToList() }).ToList();
        return this with { Earlier = Linked(Earlier), Messages = Linked(Messages) };
    }
}
