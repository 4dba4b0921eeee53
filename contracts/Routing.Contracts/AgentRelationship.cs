namespace Routing.Contracts;

/// <summary>An agent who handled the customer's conversations, and when last: the customer's relationship history.</summary>
public sealed record AgentRelationship
{
    public required string AgentId { get; init; }

    public required DateTimeOffset LastHandledAt { get; init; }
}
