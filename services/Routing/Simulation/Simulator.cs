namespace Routing.Simulation;

/// <summary>
/// A scenario from traffic to report: the traffic drawn once, then every policy of the scenario and every point of its hold
/// sweep run on it, as many at a time as the machine has cores (each run has its own state; the traffic is only read).
/// </summary>
internal static class Simulator
{
    public static SimReport Run(Scenario scenario, RoutingOptions defaults, TimeProvider wallClock, Action<string>? progress = null,
        CancellationToken cancellationToken = default)
    {
        scenario.Validate();
        var started = wallClock.GetTimestamp();
        var traffic = Traffic.Draw(scenario);
        var drawn = wallClock.GetElapsedTime(started);
        progress?.Invoke($"traffic: {traffic.Arrivals:N0} arrivals, {traffic.Agents.Count} agents, {scenario.Days} days, drawn in {drawn.TotalSeconds:0.0} s");
        var report = Compare(traffic, scenario.Name, scenario.PoliciesOrDefault(), scenario.HoldSweepMinutes, defaults, wallClock, progress, cancellationToken);
        return report with
        {
            Scenario = scenario,
            DrawSeconds = Math.Round(drawn.TotalSeconds, 2),
            TotalSeconds = Math.Round(wallClock.GetElapsedTime(started).TotalSeconds, 2),
        };
    }

    /// <summary>Every policy, and this project's at every hold of the sweep, on the same traffic.</summary>
    public static SimReport Compare(Traffic traffic, string name, IReadOnlyList<PolicySpec> policies, IReadOnlyList<double> holdSweepMinutes,
        RoutingOptions defaults, TimeProvider wallClock, Action<string>? progress = null, CancellationToken cancellationToken = default)
    {
        var started = wallClock.GetTimestamp();
        var channels = traffic.Agents.SelectMany(a => a.Channels).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var runs = policies.Select(p => (Spec: p, Sweep: (double?)null))
            .Concat(holdSweepMinutes.Select(m => (Spec: SweepPoint(channels, m), Sweep: (double?)m)))
            .ToList();
        var lookback = defaults.HistoryLookback;
        var traffics = runs.Select(r => traffic.With(r.Spec.MoreAgents)).ToList();
        var results = new SimResult[runs.Count];
        Parallel.For(0, runs.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken }, i =>
        {
            var (spec, sweep) = runs[i];
            var runStarted = wallClock.GetTimestamp();
            var summary = new SimRun(traffics[i], SimPolicy.From(spec, defaults), lookback).Run().Summary!;
            results[i] = new SimResult(spec, sweep, summary, Math.Round(wallClock.GetElapsedTime(runStarted).TotalSeconds, 2));
            progress?.Invoke($"{summary.Policy}: {wallClock.GetElapsedTime(runStarted).TotalSeconds:0.0} s");
        });

        var compared = results.Where(r => r.SweepMinutes is null).ToList();
        var sweepResults = results.Where(r => r.SweepMinutes is not null).ToList();
        return new SimReport
        {
            Name = name,
            From = traffic.Start,
            To = traffic.End,
            Arrivals = traffic.Arrivals,
            Agents = traffic.Agents.Count,
            Customers = traffic.Customers.Count,
            TotalSeconds = Math.Round(wallClock.GetElapsedTime(started).TotalSeconds, 2),
            Cores = Environment.ProcessorCount,
            Policies = compared,
            HoldSweep = sweepResults,
            Goal = GoalCheck.Of(compared.Concat(sweepResults).ToList()),
        };
    }

    /// <summary>This project's policy with every channel's hold but email's at <paramref name="minutes"/>.</summary>
    private static PolicySpec SweepPoint(IEnumerable<string> channels, double minutes) => new()
    {
        Kind = PolicyKinds.Relationship,
        Name = $"relationship, hold {minutes:0.#} min",
        HoldMinutes = channels.Where(c => !c.Equals("email", StringComparison.OrdinalIgnoreCase))
            .Append("default")
            .ToDictionary(c => c.ToLowerInvariant(), _ => minutes),
    };
}

/// <summary>One run: the policy line it ran, the hold sweep's minutes when it is a sweep point, its figures and how long it took.</summary>
internal sealed record SimResult(PolicySpec Spec, double? SweepMinutes, SimSummary Summary, double Seconds);

/// <summary>Everything one simulation found: the report's JSON, field for field.</summary>
internal sealed record SimReport
{
    public required string Name { get; init; }
    public DateTimeOffset From { get; init; }
    public DateTimeOffset To { get; init; }

    /// <summary>The scenario, when the traffic was drawn from one (null for a replay).</summary>
    public Scenario? Scenario { get; init; }

    /// <summary>What was replayed, when the traffic was recorded (null for a scenario).</summary>
    public ReplaySummary? Replay { get; init; }

    public int Arrivals { get; init; }
    public int Agents { get; init; }
    public int Customers { get; init; }
    public double DrawSeconds { get; init; }
    public double TotalSeconds { get; init; }
    public int Cores { get; init; }
    public required IReadOnlyList<SimResult> Policies { get; init; }
    public required IReadOnlyList<SimResult> HoldSweep { get; init; }
    public required GoalCheck Goal { get; init; }
}

/// <summary>A replay's source: the period read from the routing database, its conversations and presence changes, and how long reading took.</summary>
internal sealed record ReplaySummary(DateTimeOffset From, DateTimeOffset To, int Conversations, int PresenceChanges, double ReadSeconds);

/// <summary>
/// The product's goal on this traffic: returning customers reach their first preferred agent in at least
/// <see cref="HitTarget"/> of their conversations on days that agent works, at a p95 wait no more than
/// <see cref="WaitAllowance"/> above round robin's (and at least one second above it, so that a centre where round robin
/// makes fewer than one in twenty wait does not ask for a p95 of exactly zero). Each line also gives the hit rate while the
/// agent is on shift, and the ceiling of the working-day rate for a policy that never makes anyone wait for a shift to
/// start: conversations that arrive before or after their agent's shift can reach that agent only by waiting hours.
/// </summary>
internal sealed record GoalCheck(double RoundRobinP95, double WaitLimit, IReadOnlyList<GoalLine> Lines, string? Met, string? MetOnShift)
{
    public const double HitTarget = 0.90;
    public const double WaitAllowance = 0.10;

    public static GoalCheck Of(IReadOnlyList<SimResult> results)
    {
        var roundRobin = results.FirstOrDefault(r => r.Spec.Kind == PolicyKinds.RoundRobin)?.Summary.Wait.P95;
        var limit = roundRobin is { } p95 ? Math.Max(p95 * (1 + WaitAllowance), p95 + 1) : double.PositiveInfinity;
        var lines = results.Where(r => r.Spec.Kind == PolicyKinds.Relationship).Select(r => GoalLine.Of(r.Summary, limit)).ToList();
        return new GoalCheck(roundRobin ?? 0, limit, lines,
            lines.FirstOrDefault(l => l.HitMet && l.WaitMet)?.Policy, lines.FirstOrDefault(l => l.OnShiftHitMet && l.WaitMet)?.Policy);
    }
}

internal sealed record GoalLine(string Policy, double HitRateWhenWorking, double HitRateWhenOnShift, double WorkingCeiling, double P95Wait,
    bool HitMet, bool OnShiftHitMet, bool WaitMet)
{
    public static GoalLine Of(SimSummary summary, double waitLimit)
    {
        var working = summary.ByPreferredState.Where(s => s.State != nameof(PreferredState.OffDay)).Sum(s => s.Conversations);
        var onShift = summary.ByPreferredState
            .Where(s => s.State is nameof(PreferredState.Free) or nameof(PreferredState.Busy) or nameof(PreferredState.OnBreak)).Sum(s => s.Conversations);
        return new GoalLine(summary.Policy, summary.PreferredHitRateWhenWorking, summary.PreferredHitRateWhenOnShift,
            working == 0 ? 0 : Math.Round((double)onShift / working, 4), summary.Wait.P95,
            summary.PreferredHitRateWhenWorking >= GoalCheck.HitTarget, summary.PreferredHitRateWhenOnShift >= GoalCheck.HitTarget,
            summary.Wait.P95 <= waitLimit);
    }
}
