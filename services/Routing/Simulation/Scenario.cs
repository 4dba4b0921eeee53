using System.Text.Json;
using System.Text.Json.Serialization;

namespace Routing.Simulation;

/// <summary>
/// A simulated contact centre and the policies to compare on its traffic (deploy/simulate/*.json; the routing README
/// documents every field). Everything not given takes the standard month's value.
/// </summary>
internal sealed record Scenario
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public string Name { get; init; } = "scenario";

    /// <summary>The same seed gives the same traffic, arrival for arrival, to every policy and on every run.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>The first simulated day (midnight in <see cref="TimeZone"/>), and how many follow.</summary>
    public DateOnly Start { get; init; } = new(2026, 11, 2);
    public int Days { get; init; } = 30;
    public string TimeZone { get; init; } = "UTC";

    public AgentsSpec Agents { get; init; } = new();
    public CustomersSpec Customers { get; init; } = new();
    public ArrivalsSpec Arrivals { get; init; } = new();

    /// <summary>Mean handle time per channel in minutes (log-normal, <see cref="HandleSpread"/>); "default" for the others.</summary>
    public Dictionary<string, double> HandleMinutes { get; init; } = new(StringComparer.OrdinalIgnoreCase) { ["email"] = 12, ["default"] = 9 };
    public double HandleSpread { get; init; } = 0.6;

    /// <summary>How long customers wait before giving up, mean minutes per channel (exponential); "default" for the others.</summary>
    public Dictionary<string, double> PatienceMinutes { get; init; } = new(StringComparer.OrdinalIgnoreCase) { ["email"] = 2880, ["default"] = 12 };

    /// <summary>The policies compared (each on the same traffic); none given: this project's with its defaults and the three baselines.</summary>
    public List<PolicySpec> Policies { get; init; } = [];

    /// <summary>Hold waits (minutes, every channel but email) this project's policy also runs with, for the hit rate against hold time chart.</summary>
    public List<double> HoldSweepMinutes { get; init; } = [0, 1, 2, 5, 10];

    public static Scenario Load(string path)
    {
        var scenario = JsonSerializer.Deserialize<Scenario>(File.ReadAllText(path), Json)
                       ?? throw new ScenarioException($"{path} holds no scenario");
        scenario.Validate();
        return scenario;
    }

    public IReadOnlyList<PolicySpec> PoliciesOrDefault() =>
        Policies.Count > 0 ? Policies :
        [
            new PolicySpec { Kind = PolicyKinds.Relationship, Name = "relationship (defaults)" },
            .. PolicySpec.Baselines,
        ];

    public double HandleMean(string channel) => HandleMinutes.GetValueOrDefault(channel, HandleMinutes.GetValueOrDefault("default", 9));

    public double PatienceMean(string channel) => PatienceMinutes.GetValueOrDefault(channel, PatienceMinutes.GetValueOrDefault("default", 12));

    /// <summary>Throws a <see cref="ScenarioException"/> naming the first field that cannot be simulated.</summary>
    public void Validate()
    {
        Require(Days is >= 1 and <= 366, "days must be 1 to 366");
        Require(System.TimeZoneInfo.TryFindSystemTimeZoneById(TimeZone, out _), $"timeZone '{TimeZone}' is not a time zone");
        Require(Agents.Count is >= 1 and <= 20_000, "agents.count must be 1 to 20000");
        Require(Agents.Capacity is >= 1 and <= 50, "agents.capacity must be 1 to 50");
        Require(Agents.DaysPerWeek is >= 1 and <= 7, "agents.daysPerWeek must be 1 to 7");
        Require(Agents.Shifts.Count > 0 && Agents.Shifts.All(s => s.Hours is > 0 and <= 24 && s.Share > 0 && s.StartHour is >= 0 and < 24),
            "agents.shifts need startHour 0 to 23, hours 1 to 24 and a share above 0");
        Require(Agents.Channels.Count > 0, "agents.channels must name at least one channel");
        Require(Customers.Known >= 0 && Customers.ReturningShare is >= 0 and <= 1 && Customers.OwnedShare is >= 0 and <= 1,
            "customers: known at least 0, returningShare and ownedShare 0 to 1");
        Require(Arrivals.PerDay > 0, "arrivals.perDay must be above 0");
        Require(Arrivals.Channels.Count > 0 && Arrivals.Channels.Values.All(v => v >= 0) && Arrivals.Channels.Values.Sum() > 0,
            "arrivals.channels must give each channel a share of 0 or more, some above 0");
        Require(Arrivals.Channels.Keys.All(c => Agents.Channels.Contains(c, StringComparer.OrdinalIgnoreCase)),
            "arrivals.channels names a channel no agent serves (agents.channels)");
        Require(Arrivals.Hourly.Count == 24 && Arrivals.Hourly.All(v => v >= 0) && Arrivals.Hourly.Sum() > 0, "arrivals.hourly needs 24 weights, some above 0");
        Require(Arrivals.HourlyByChannel?.All(c => Arrivals.Channels.ContainsKey(c.Key) && c.Value.Count == 24 && c.Value.All(v => v >= 0) && c.Value.Sum() > 0) ?? true,
            "arrivals.hourlyByChannel needs 24 weights, some above 0, for channels of arrivals.channels");
        Require(Arrivals.Weekday.Count == 7 && Arrivals.Weekday.All(v => v >= 0), "arrivals.weekday needs 7 weights (monday first)");
        Require(HandleMinutes.Values.All(v => v > 0) && PatienceMinutes.Values.All(v => v > 0), "handleMinutes and patienceMinutes must be above 0");
        Require(HoldSweepMinutes.All(m => m is >= 0 and <= 240), "holdSweepMinutes must be 0 to 240");
        foreach (var policy in PoliciesOrDefault())
        {
            Require(PolicyKinds.All.Contains(policy.Kind), $"policies: kind '{policy.Kind}' is none of {string.Join(", ", PolicyKinds.All)}");
            Require(policy.HoldMinutes?.Values.All(v => v is >= 0 and <= PolicySpec.MostHoldMinutes) ?? true,
                $"policies: holdMinutes must be 0 to {PolicySpec.MostHoldMinutes}");
            Require(policy.MoreAgents?.All(m => m.Like.Length > 0 && m.Count is >= 1 and <= Simulation.MoreAgents.Most) ?? true,
                $"policies: moreAgents need an agent to be like and a count of 1 to {Simulation.MoreAgents.Most}");
        }
    }

    private static void Require(bool condition, string error)
    {
        if (!condition)
        {
            throw new ScenarioException(error);
        }
    }
}

internal sealed record AgentsSpec
{
    public int Count { get; init; } = 500;
    public int Capacity { get; init; } = 3;
    public List<string> Channels { get; init; } = ["email", "sms", "whatsapp", "facebook", "twitter"];

    /// <summary>Each agent works one of these shifts (drawn by share), the same hours on each of its working days.</summary>
    public List<ShiftSpec> Shifts { get; init; } =
    [
        new() { StartHour = 7, Hours = 8, Share = 0.25 },
        new() { StartHour = 9, Hours = 8, Share = 0.35 },
        new() { StartHour = 12, Hours = 8, Share = 0.25 },
        new() { StartHour = 14, Hours = 8, Share = 0.15 },
    ];

    /// <summary>Working days a week, consecutive from a day drawn per agent (so every weekday is staffed).</summary>
    public int DaysPerWeek { get; init; } = 5;

    /// <summary>Breaks per shift (the agent is away for <see cref="BreakMinutes"/>, at a time drawn in the shift's middle).</summary>
    public int BreaksPerShift { get; init; } = 2;
    public double BreakMinutes { get; init; } = 15;
}

internal sealed record ShiftSpec
{
    public int StartHour { get; init; }
    public double Hours { get; init; }
    public double Share { get; init; }
}

internal sealed record CustomersSpec
{
    /// <summary>Customers known before the first day, each with the agent who last served them (within the history lookback).</summary>
    public int Known { get; init; } = 150_000;

    /// <summary>The share of arrivals from a customer the centre knows (a preferred agent); the rest are new customers.</summary>
    public double ReturningShare { get; init; } = 0.6;

    /// <summary>The share of known customers with an owner (an account manager) besides their history.</summary>
    public double OwnedShare { get; init; } = 0.2;

    /// <summary>Customers write near their usual hour of the day: the spread in hours (normal).</summary>
    public double HourSpread { get; init; } = 1.5;
}

internal sealed record ArrivalsSpec
{
    /// <summary>New conversations on a day of weekday weight 1.</summary>
    public double PerDay { get; init; } = 30_000;

    public Dictionary<string, double> Channels { get; init; } = new(StringComparer.OrdinalIgnoreCase)
    {
        ["whatsapp"] = 0.35, ["email"] = 0.2, ["sms"] = 0.15, ["facebook"] = 0.2, ["twitter"] = 0.1,
    };

    /// <summary>Weights of the hours of the day, midnight first.</summary>
    public List<double> Hourly { get; init; } =
        [0.1, 0.05, 0.05, 0.05, 0.1, 0.3, 0.8, 2.5, 5, 7, 7.5, 7.5, 7, 7, 7.5, 7.5, 7, 6.5, 5.5, 4.5, 3.5, 2.5, 1, 0.3];

    /// <summary>Channels whose day has a shape of its own (24 weights, midnight first): email in office hours, messaging into the evening.</summary>
    public Dictionary<string, List<double>>? HourlyByChannel { get; init; }

    /// <summary>Weights of the days of the week, Monday first.</summary>
    public List<double> Weekday { get; init; } = [1.1, 1.05, 1, 1, 0.95, 0.55, 0.45];
}

internal sealed record PolicySpec
{
    public string Kind { get; init; } = PolicyKinds.Relationship;
    public string? Name { get; init; }

    /// <summary>This project's policy only: hold waits per channel in minutes, over the routing defaults ("default" for the others).</summary>
    public Dictionary<string, double>? HoldMinutes { get; init; }

    /// <summary>This project's policy only: the history lookback in days.</summary>
    public double? HistoryLookbackDays { get; init; }

    /// <summary>Agents added to the centre for this line (a team that grows): each a copy of an existing agent.</summary>
    public List<MoreAgents>? MoreAgents { get; init; }

    public string Label => Name ?? Kind;

    /// <summary>What this project's policy is compared with: round robin, longest idle, last agent.</summary>
    public static readonly IReadOnlyList<PolicySpec> Baselines =
    [
        new PolicySpec { Kind = PolicyKinds.RoundRobin },
        new PolicySpec { Kind = PolicyKinds.LongestIdle },
        new PolicySpec { Kind = PolicyKinds.LastAgent },
    ];

    /// <summary>The longest hold a policy line may set: a week.</summary>
    public const int MostHoldMinutes = 10_080;
}

/// <summary><see cref="Count"/> more agents like <see cref="Like"/>: the same capacity, channels, working hours and presence.</summary>
internal sealed record MoreAgents
{
    public string Like { get; init; } = "";
    public int Count { get; init; } = 1;

    public const int Most = 1000;
}

internal static class PolicyKinds
{
    /// <summary>This project's: the production RoutingPolicy (preferred set, hold, fallback, queue).</summary>
    public const string Relationship = "relationship";

    /// <summary>The next agent in turn who can take it.</summary>
    public const string RoundRobin = "round-robin";

    /// <summary>The agent who has waited longest since their last assignment.</summary>
    public const string LongestIdle = "longest-idle";

    /// <summary>The customer's last agent if available with a free slot, otherwise the least loaded; never holds.</summary>
    public const string LastAgent = "last-agent";

    public static readonly IReadOnlyList<string> All = [Relationship, RoundRobin, LongestIdle, LastAgent];
}

/// <summary>A scenario that cannot be simulated, with the field and why.</summary>
internal sealed class ScenarioException(string message) : Exception(message);
