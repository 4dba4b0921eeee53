namespace Routing.Contracts;

/// <summary>The agent a warm transfer was offered to takes it or not. Ignored (logged) when the offer already ended.</summary>
public sealed record AgentAnsweredTransfer
{
    public required Guid TransferId { get; init; }

    public required string AgentId { get; init; }

    public required bool Accepted { get; init; }

    /// <summary>Why not, for the sender and the receipt.</summary>
    public string? Reason { get; init; }

    public required DateTimeOffset AnsweredAt { get; init; }
}
