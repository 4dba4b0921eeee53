namespace Routing.Contracts;

public sealed record AgentDeclinedConversation
{
    public required Guid ConversationId { get; init; }

    public required string AgentId { get; init; }

    public string? Reason { get; init; }

    public required DateTimeOffset DeclinedAt { get; init; }
}
