namespace Routing.Contracts;

/// <summary>An agent (through the agent gateway) closes a conversation; routing answers with ConversationClosed.</summary>
public sealed record CloseConversation
{
    public required Guid ConversationId { get; init; }

    public required string ClosedBy { get; init; }

    public string? Reason { get; init; }

    public required DateTimeOffset RequestedAt { get; init; }
}
