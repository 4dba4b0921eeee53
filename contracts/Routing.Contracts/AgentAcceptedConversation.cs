namespace Routing.Contracts;

public sealed record AgentAcceptedConversation
{
    public required Guid ConversationId { get; init; }

    public required string AgentId { get; init; }

    public required DateTimeOffset AcceptedAt { get; init; }
}
