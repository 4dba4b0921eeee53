namespace Routing.Contracts;

public sealed record AgentPresenceChanged
{
    public required string AgentId { get; init; }

    /// <summary>available, away or offline.</summary>
    public required string Status { get; init; }

    public required DateTimeOffset ChangedAt { get; init; }
}
