namespace Routing.Contracts;

/// <summary>
/// An agent (through the agent gateway) closes a conversation; routing answers with ConversationClosed. Routing carries
/// it out only while the conversation is <see cref="ClosedBy"/>'s (a receipt says why otherwise); operators close
/// through routing's API.
/// </summary>
public sealed record CloseConversation
{
    public required Guid ConversationId { get; init; }

    public required string ClosedBy { get; init; }

    public string? Reason { get; init; }

    public required DateTimeOffset RequestedAt { get; init; }

    /// <summary>
    /// How many of the customer's messages in the conversation the closing agent had been shown. When the conversation
    /// holds more, the customer wrote after what the agent saw (a message still on its way to the agent's tool): routing
    /// keeps the conversation open, so that the message reaches the agent instead of a closed conversation. Unset for a
    /// close that is not an agent's answer (an operator's).
    /// </summary>
    public int? MessagesSeen { get; init; }
}
