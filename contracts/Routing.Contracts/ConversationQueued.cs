namespace Routing.Contracts;

/// <summary>No agent could take the conversation; it waits (priority, then arrival).</summary>
public sealed record ConversationQueued
{
    public required Guid ConversationId { get; init; }

    public required Guid CustomerId { get; init; }

    public required string Channel { get; init; }

    public required int Priority { get; init; }

    public required string Reason { get; init; }

    public required Guid DecisionId { get; init; }

    public required DateTimeOffset QueuedAt { get; init; }
}
