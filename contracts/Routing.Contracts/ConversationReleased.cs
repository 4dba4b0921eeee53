namespace Routing.Contracts;

/// <summary>An agent no longer has the conversation (offline past the grace period, offer declined or expired); it is routed again.</summary>
public sealed record ConversationReleased
{
    public required Guid ConversationId { get; init; }

    public required Guid CustomerId { get; init; }

    public required string AgentId { get; init; }

    /// <summary>offline-grace, offer-declined, offer-expired.</summary>
    public required string Reason { get; init; }

    public required Guid DecisionId { get; init; }

    public required DateTimeOffset ReleasedAt { get; init; }
}
