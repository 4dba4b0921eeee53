using Routing.Contracts;
using Routing.Policy;

namespace Routing.Database;

internal sealed record AgentRow
{
    public string Id { get; init; } = "";
    public string Name { get; init; } = "";
    public int Capacity { get; init; }
    public string[] Channels { get; init; } = [];
    public string[] Teams { get; init; } = [];
    public string[] Languages { get; init; } = [];
    public string[] Skills { get; init; } = [];

    /// <summary>The agent's shift as JSON (<see cref="Policy.WorkingHours"/>), or null.</summary>
    public string? WorkingHours { get; init; }
    public bool RequiresAccept { get; init; }
    public string Presence { get; init; } = AgentPresences.Offline;
    public DateTime PresenceChangedAt { get; init; }
    public int OpenCount { get; init; }
    public DateTime? LastAssignedAt { get; init; }
    public DateTime CreatedAt { get; init; }
    public DateTime UpdatedAt { get; init; }

    public AgentSnapshot ToSnapshot() => new()
    {
        Id = Id,
        Presence = Presence,
        PresenceChangedAt = Utc(PresenceChangedAt),
        OpenCount = OpenCount,
        Capacity = Capacity,
        Channels = Channels,
        Teams = Teams,
        Languages = Languages,
        Skills = Skills,
        Hours = WorkingHours is null ? null : Policy.WorkingHours.FromJson(WorkingHours),
        RequiresAccept = RequiresAccept,
        LastAssignedAt = LastAssignedAt is { } at ? Utc(at) : null,
    };

    internal static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));
}
