using Routing.Contracts;

namespace Routing.AgentGateway.Events;

/// <summary>The events an agent's tools receive; every one is {"type", "timestamp", "data"}, with data one of the records below.</summary>
internal static class EventTypes
{
    public const string ConversationAssigned = "conversation.assigned";
    public const string MessageReceived = "message.received";
    public const string ConversationReleased = "conversation.released";
    public const string ConversationClosed = "conversation.closed";
    public const string ReplyStatus = "reply.status";
    public const string TransferOffered = "transfer.offered";
    public const string TransferEnded = "transfer.ended";
    public const string ConversationHeld = "conversation.held";

    /// <summary>One of the agent's follow-ups was scheduled, sent, cancelled, or could not go.</summary>
    public const string FollowUp = "follow-up.changed";

    /// <summary>
    /// Said to the agent in one tool only, where they acted (a Slack thread, a mail thread): why what they wrote there
    /// went nowhere. Not in the event stream or the webhooks, whose callers get their answer in the HTTP response.
    /// </summary>
    public const string Notice = "gateway.notice";

    /// <summary>Each event type and the record its data is.</summary>
    public static IReadOnlyDictionary<string, Type> DataTypes { get; } = new Dictionary<string, Type>(StringComparer.Ordinal)
    {
        [ConversationAssigned] = typeof(ConversationAssignedData),
        [MessageReceived] = typeof(MessageReceivedData),
        [ConversationReleased] = typeof(ConversationReleasedData),
        [ConversationClosed] = typeof(ConversationClosedData),
        [ReplyStatus] = typeof(ReplyStatusData),
        [TransferOffered] = typeof(TransferOfferedData),
        [TransferEnded] = typeof(TransferEndedData),
        [ConversationHeld] = typeof(ConversationHeldData),
        [Notice] = typeof(NoticeData),
        [FollowUp] = typeof(FollowUpData),
    };
}

/// <summary>What every agent event is about: one conversation.</summary>
internal interface IAgentEventData
{
    Guid ConversationId { get; }
}

/// <summary>An event as stored and sent: its type, when it was written, and what it says.</summary>
internal sealed record AgentEvent<TData>(string Type, DateTimeOffset Timestamp, TData Data) where TData : IAgentEventData;

/// <summary>
/// conversation.assigned: the conversation is the agent's now (or offered to them, until offerExpiresAt): the customer
/// as a person (names, addresses, owners, who served them, earlier messages), why routing chose this agent, and the
/// conversation's messages so far.
/// </summary>
internal sealed record ConversationAssignedData(
    Guid ConversationId,
    ConversationView Conversation,
    bool RequiresAccept,
    DateTimeOffset? OfferExpiresAt,
    CustomerContext Customer,
    RoutingContext Routing,
    IReadOnlyList<MessageView> Messages) : IAgentEventData;

/// <summary>message.received: the customer wrote again in a conversation the agent has.</summary>
internal sealed record MessageReceivedData(Guid ConversationId, MessageView Message) : IAgentEventData;

/// <summary>conversation.released: the conversation is no longer the agent's; reason is routing's code, reasonText says it in words.</summary>
internal sealed record ConversationReleasedData(Guid ConversationId, string Reason, string ReasonText, DateTimeOffset ReleasedAt) : IAgentEventData;

/// <summary>conversation.closed: closed by closedBy (the agent, an operator, or routing).</summary>
internal sealed record ConversationClosedData(Guid ConversationId, string ClosedBy, string? Reason, DateTimeOffset ClosedAt) : IAgentEventData;

/// <summary>reply.status: how far one of the agent's replies got: sent, delivered, read, failed (with the provider's reason), or unknown.</summary>
internal sealed record ReplyStatusData(
    Guid ConversationId,
    Guid ReplyId,
    string Channel,
    string Status,
    string? ProviderMessageId,
    string? ErrorCode,
    string? ErrorMessage,
    DateTime At) : IAgentEventData;

/// <summary>
/// transfer.offered: another agent asks this agent to take a conversation they still have (a warm transfer), until
/// expiresAt; answer at /transfers/{transferId}/accept or /decline. The customer's latest messages show what it is about.
/// </summary>
internal sealed record TransferOfferedData(
    Guid ConversationId,
    Guid TransferId,
    string FromAgentId,
    string? ToTeam,
    string Channel,
    string? Note,
    string? CustomerName,
    DateTimeOffset ExpiresAt,
    IReadOnlyList<ConversationMessage> Messages) : IAgentEventData;

/// <summary>
/// transfer.ended: how a transfer ended (outcome done, refused, declined, expired or cancelled), told to the agent who asked
/// and, for a warm transfer that did not happen, to the agent it was offered to; text says it in words.
/// </summary>
internal sealed record TransferEndedData(
    Guid ConversationId,
    Guid TransferId,
    string Outcome,
    string? Reason,
    string Text,
    string? ToAgentId,
    string? ToTeam,
    bool Warm,
    DateTimeOffset EndedAt) : IAgentEventData;

/// <summary>
/// conversation.held: a customer whose preferred agents are busy waits for them (heldFor, this agent among them) until
/// holdUntil; the agent who frees a slot or becomes available before then gets the conversation, else it goes to another
/// agent. With the customer's latest messages, as far as the gateway has them.
/// </summary>
internal sealed record ConversationHeldData(
    Guid ConversationId,
    string Channel,
    string? CustomerName,
    DateTimeOffset HoldUntil,
    IReadOnlyList<string> HeldFor,
    IReadOnlyList<MessageView> Messages) : IAgentEventData;

/// <summary>gateway.notice: a sentence for the agent in the tool where they acted (never in the stream or webhooks).</summary>
internal sealed record NoticeData(Guid ConversationId, string Text) : IAgentEventData;

/// <summary>
/// follow-up.changed: a follow-up of the agent's (on the conversation it belongs to) is scheduled (due at dueAt), sent, cancelled,
/// or failed (reason says why: the customer has no address left, the channel refused it). The customer's answer to a sent
/// follow-up comes to this agent first, as a new conversation.
/// </summary>
internal sealed record FollowUpData(Guid ConversationId, Guid FollowUpId, string Status, DateTimeOffset DueAt, string Text, string? Reason) : IAgentEventData;
