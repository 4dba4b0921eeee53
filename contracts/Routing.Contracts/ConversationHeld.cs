namespace Routing.Contracts;

/// <summary>The customer's preferred agents are online but busy or away: the conversation waits for them until HoldUntil, then falls back.</summary>
public sealed record ConversationHeld
{
    public required Guid ConversationId { get; init; }

    public required Guid CustomerId { get; init; }

    public required string Channel { get; init; }

    public required IReadOnlyList<string> HeldFor { get; init; }

    public required DateTimeOffset HoldUntil { get; init; }

    public required string Reason { get; init; }

    public required Guid DecisionId { get; init; }

    public required DateTimeOffset HeldAt { get; init; }
}
