using Routing.Contracts;
namespace Routing.Policy;

/// <summary>An agent as routing sees it at one instant.</summary>
internal sealed record AgentSnapshot
{
    public required string Id { get; init; }
    public required string Presence { get; init; }
    public required DateTimeOffset PresenceChangedAt { get; init; }
    public required int OpenCount { get; init; }
    public required int Capacity { get; init; }
    public required IReadOnlyList<string> Channels { get; init; }
    public IReadOnlyList<string> Teams { get; init; } = [];

    /// <summary>Languages (ISO 639 codes) the agent serves in; none listed: any.</summary>
    public IReadOnlyList<string> Languages { get; init; } = [];
    public IReadOnlyList<string> Skills { get; init; } = [];

    /// <summary>The agent's shift (null: no schedule, on duty whenever present).</summary>
    public WorkingHours? Hours { get; init; }
    public bool RequiresAccept { get; init; }
    public DateTimeOffset? LastAssignedAt { get; init; }

    public bool Serves(string channel) => Channels.Contains(channel, StringComparer.OrdinalIgnoreCase);
    public bool Speaks(string language) => Languages.Count == 0 || Languages.Contains(language, StringComparer.Ordinal);
    public bool InTeam(string team) => Teams.Contains(team, StringComparer.Ordinal);
    public bool HasFreeSlot => OpenCount < Capacity;
    public bool IsAvailable => Presence == AgentPresences.Available;
    public bool IsOnline => Presence != AgentPresences.Offline;
}
