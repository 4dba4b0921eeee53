namespace Routing.Contracts;

public sealed record ConversationClosed
{
    public required Guid ConversationId { get; init; }

    public required Guid CustomerId { get; init; }

    public string? AgentId { get; init; }

    public required string Channel { get; init; }

    /// <summary>Who closed it: an agent id, or "admin" for the API.</summary>
    public required string ClosedBy { get; init; }

    public string? Reason { get; init; }

    public required DateTimeOffset ClosedAt { get; init; }
}
