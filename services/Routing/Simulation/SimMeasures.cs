using Routing.Contracts;

namespace Routing.Simulation;

/// <summary>What one policy did with the traffic, gathered as the run goes and summed up at its end.</summary>
internal sealed class SimMeasures(string policy)
{
    private readonly Dictionary<string, List<double>> _waits = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _abandoned = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _conversations = new(StringComparer.Ordinal);
    private int _returning, _returningHit, _returningAnyPreferred, _worksToday, _worksTodayHit, _onShift, _onShiftHit;
    private readonly int[] _byState = new int[Enum.GetValues<PreferredState>().Length];
    private readonly int[] _byStateHit = new int[Enum.GetValues<PreferredState>().Length];
    private int _joined, _holds, _holdsToPreferred, _holdsToFallback, _holdsAbandoned, _holdsEndedEarly;

    public string Policy { get; } = policy;
    public SimSummary? Summary { get; private set; }

    public void Joined() => _joined++;

    public void HoldStarted() => _holds++;

    public void Assigned(SimConversation conversation, bool wasHeld)
    {
        var channel = conversation.Channel;
        _conversations[channel] = _conversations.GetValueOrDefault(channel) + 1;
        Wait(channel).Add((conversation.AssignedAt!.Value - conversation.ArrivedAt).TotalSeconds);
        var agent = conversation.Agent!.Id;
        if (wasHeld && conversation.Preferred.Contains(agent))
        {
            _holdsToPreferred++;
        }
        if (conversation.FirstPreferred is not { } first)
        {
            return;
        }
        var hit = first == agent;
        _byState[(int)conversation.FirstPreferredState]++;
        _byStateHit[(int)conversation.FirstPreferredState] += hit ? 1 : 0;
        _returning++;
        _returningHit += hit ? 1 : 0;
        _returningAnyPreferred += conversation.Preferred.Contains(agent) ? 1 : 0;
        if (conversation.FirstPreferredWorksToday)
        {
            _worksToday++;
            _worksTodayHit += hit ? 1 : 0;
        }
        if (conversation.FirstPreferredOnShift)
        {
            _onShift++;
            _onShiftHit += hit ? 1 : 0;
        }
    }

    public void Abandoned(SimConversation conversation)
    {
        var channel = conversation.Channel;
        _conversations[channel] = _conversations.GetValueOrDefault(channel) + 1;
        _abandoned[channel] = _abandoned.GetValueOrDefault(channel) + 1;
        if (conversation.HoldUntil is not null)
        {
            _holdsAbandoned++;
        }
        if (conversation.FirstPreferred is not null)
        {
            _byState[(int)conversation.FirstPreferredState]++;
            _returning++;
            _worksToday += conversation.FirstPreferredWorksToday ? 1 : 0;
            _onShift += conversation.FirstPreferredOnShift ? 1 : 0;
        }
    }

    /// <summary>A hold ended without the agents it waited for taking it: the conversation goes to whoever the policy chooses now.</summary>
    public void HoldEnded(SimConversation conversation, SimDecision decision, string trigger)
    {
        if (decision.Agent is { } agent && conversation.Preferred.Contains(agent.Id))
        {
            return; // one of them was free when it ended after all
        }
        _holdsToFallback++;
        _holdsEndedEarly += trigger == RoutingTriggers.HeldAgentsUnavailable ? 1 : 0;
    }

    public void Finish(IReadOnlyList<SimAgent> agents, IEnumerable<SimConversation> stillActive)
    {
        var waiting = stillActive.Count(c => c.Status is SimStatus.Queued or SimStatus.Held);
        var worked = agents.Where(a => a.ShiftSeconds > 0).ToList();
        var utilisation = worked.Select(a => a.BusySeconds / (a.Plan.Capacity * a.ShiftSeconds)).Order().ToList();
        var mean = utilisation.Count > 0 ? utilisation.Average() : 0;
        var sd = utilisation.Count > 0 ? Math.Sqrt(utilisation.Sum(u => (u - mean) * (u - mean)) / utilisation.Count) : 0;
        var all = _waits.Values.SelectMany(w => w).ToList();
        var channels = _conversations.Keys.Order(StringComparer.Ordinal).ToList();
        Summary = new SimSummary
        {
            Policy = Policy,
            Conversations = _conversations.Values.Sum(),
            Joined = _joined,
            WaitingAtEnd = waiting,
            Abandoned = _abandoned.Values.Sum(),
            AbandonedShare = Share(_abandoned.Values.Sum(), _conversations.Values.Sum()),
            ReturningConversations = _returning,
            PreferredHitRate = Share(_returningHit, _returning),
            AnyPreferredRate = Share(_returningAnyPreferred, _returning),
            PreferredHitRateWhenWorking = Share(_worksTodayHit, _worksToday),
            PreferredHitRateWhenOnShift = Share(_onShiftHit, _onShift),
            Wait = WaitSummary.Of("all", all, _abandoned.Values.Sum()),
            WaitByChannel = channels.Select(c => WaitSummary.Of(c, _waits.GetValueOrDefault(c) ?? [], _abandoned.GetValueOrDefault(c))).ToList(),
            Utilisation = new UtilisationSummary(mean, sd, mean > 0 ? sd / mean : 0, Percentile(utilisation, 0.10), Percentile(utilisation, 0.90),
                utilisation.FirstOrDefault(), utilisation.LastOrDefault()),
            UtilisationByAgent = agents.Select(a => a.ShiftSeconds > 0 ? Math.Round(a.BusySeconds / (a.Plan.Capacity * a.ShiftSeconds), 4) : 0).ToList(),
            Holds = _holds,
            HoldsTakenByPreferred = _holdsToPreferred,
            HoldsEndedInFallback = _holdsToFallback,
            HoldsEndedEarly = _holdsEndedEarly,
            HoldsAbandoned = _holdsAbandoned,
            WaitHistogram = Histogram(all),
            ByPreferredState = Enum.GetValues<PreferredState>()
                .Select(s => new StateSummary(s.ToString(), _byState[(int)s], Share(_byStateHit[(int)s], _byState[(int)s]))).ToList(),
        };
    }

    private List<double> Wait(string channel) =>
        _waits.TryGetValue(channel, out var list) ? list : _waits[channel] = [];

    private static double Share(int part, int whole) => whole == 0 ? 0 : Math.Round((double)part / whole, 4);

    /// <summary>The nearest-rank percentile of sorted values (0 when there are none).</summary>
    internal static double Percentile(IReadOnlyList<double> sorted, double p) =>
        sorted.Count == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

    /// <summary>Served conversations by wait, in buckets of growing width (seconds): the report's distribution chart.</summary>
    private static List<int> Histogram(List<double> waits)
    {
        var counts = new int[SimSummary.WaitBuckets.Count + 1];
        foreach (var w in waits)
        {
            var i = 0;
            while (i < SimSummary.WaitBuckets.Count && w >= SimSummary.WaitBuckets[i])
            {
                i++;
            }
            counts[i]++;
        }
        return counts.ToList();
    }
}

/// <summary>One policy's figures over the whole run (the report's JSON, field for field).</summary>
internal sealed record SimSummary
{
    /// <summary>The wait histogram's bucket bounds, in seconds: under 1 s, 1–10 s, … and the last bucket for the rest.</summary>
    public static readonly IReadOnlyList<double> WaitBuckets = [1, 10, 30, 60, 120, 300, 600, 1800, 3600, 14400];

    public required string Policy { get; init; }
    public int Conversations { get; init; }
    public int Joined { get; init; }
    public int WaitingAtEnd { get; init; }
    public int Abandoned { get; init; }
    public double AbandonedShare { get; init; }

    /// <summary>Conversations of customers with a preferred agent (an owner, or an agent who handled them within the lookback).</summary>
    public int ReturningConversations { get; init; }

    /// <summary>The share of returning customers' conversations the first of their preferred agents took.</summary>
    public double PreferredHitRate { get; init; }
    public double AnyPreferredRate { get; init; }

    /// <summary>The same, counting only days the first preferred agent worked (had a shift that day).</summary>
    public double PreferredHitRateWhenWorking { get; init; }

    /// <summary>The same, counting only conversations started while the first preferred agent was on shift.</summary>
    public double PreferredHitRateWhenOnShift { get; init; }

    public required WaitSummary Wait { get; init; }
    public required IReadOnlyList<WaitSummary> WaitByChannel { get; init; }
    public required UtilisationSummary Utilisation { get; init; }
    public required IReadOnlyList<double> UtilisationByAgent { get; init; }
    public int Holds { get; init; }
    public int HoldsTakenByPreferred { get; init; }
    public int HoldsEndedInFallback { get; init; }
    public int HoldsEndedEarly { get; init; }
    public int HoldsAbandoned { get; init; }

    /// <summary>Transfers are not simulated: agents in the simulation never move a conversation (always 0).</summary>
    public int Transfers { get; init; }
    public required IReadOnlyList<int> WaitHistogram { get; init; }

    /// <summary>Returning customers' conversations by where their first preferred agent was when they wrote, and the hit rate of each.</summary>
    public required IReadOnlyList<StateSummary> ByPreferredState { get; init; }
}

/// <summary>Returning customers' conversations whose first preferred agent was in that state when they wrote, and how many that agent took.</summary>
internal sealed record StateSummary(string State, int Conversations, double HitRate);

/// <summary>Waits, in seconds, of the conversations an agent took (abandoned ones are counted apart).</summary>
internal sealed record WaitSummary(string Channel, int Served, int Abandoned, double P50, double P95, double P99, double Mean)
{
    public static WaitSummary Of(string channel, List<double> waits, int abandoned)
    {
        waits.Sort();
        return new WaitSummary(channel, waits.Count, abandoned, Math.Round(SimMeasures.Percentile(waits, 0.50), 1),
            Math.Round(SimMeasures.Percentile(waits, 0.95), 1), Math.Round(SimMeasures.Percentile(waits, 0.99), 1),
            Math.Round(waits.Count > 0 ? waits.Average() : 0, 1));
    }
}

/// <summary>
/// Agents' utilisation (busy slot time over capacity times time on shift): its mean, its spread (standard deviation and
/// coefficient of variation: the lower, the fairer), and its 10th and 90th percentiles, lowest and highest.
/// </summary>
internal sealed record UtilisationSummary(double Mean, double StdDev, double Variation, double P10, double P90, double Min, double Max);
