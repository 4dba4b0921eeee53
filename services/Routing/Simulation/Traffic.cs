using System.Globalization;
using System.Text.Json;
using Routing.Policy;

namespace Routing.Simulation;

/// <summary>
/// What happens to a centre whatever the policy: who works when, who writes when on which channel, how long each
/// conversation takes to handle and how long its customer would wait. Drawn once from the scenario's seed, then
/// replayed to every policy, so that policies are compared on the same traffic.
/// </summary>
internal sealed class Traffic
{
    public required IReadOnlyList<AgentPlan> Agents { get; init; }

    /// <summary>Arrivals and presence changes, in time order.</summary>
    public required IReadOnlyList<ExternalEvent> Events { get; init; }

    /// <summary>Per customer (by index): their owners and the agents who handled them before the first day, most recent first.</summary>
    public required IReadOnlyList<CustomerStart> Customers { get; init; }

    public required DateTimeOffset Start { get; init; }
    public required DateTimeOffset End { get; init; }
    public required TimeZoneInfo Zone { get; init; }

    public int Arrivals { get; init; }

    public static Traffic Draw(Scenario scenario)
    {
        var random = new Random(scenario.Seed);
        var zone = TimeZoneInfo.FindSystemTimeZoneById(scenario.TimeZone);
        var start = At(zone, scenario.Start, 0);
        var end = At(zone, scenario.Start.AddDays(scenario.Days), 0);

        var (agents, rotas) = DrawAgents(scenario, random);
        var events = new List<ExternalEvent>();
        AddPresence(scenario, agents, rotas, zone, random, events);

        // customers known before the first day, each bucketed by the hour of the day they usually write at
        var hourly = scenario.Arrivals.Hourly;
        var customers = new List<CustomerStart>();
        var byHour = Enumerable.Range(0, 24).Select(_ => new List<int>()).ToArray();
        for (var i = 0; i < scenario.Customers.Known; i++)
        {
            var hour = Pick(hourly, random);
            var served = AgentsAt(rotas, hour, random);
            var owner = random.NextDouble() < scenario.Customers.OwnedShare ? AgentsAt(rotas, hour, random) : -1;
            var handled = start - TimeSpan.FromDays(random.NextDouble() * 60);
            customers.Add(new CustomerStart(owner >= 0 ? [owner] : [], served >= 0 ? [(served, handled)] : []));
            byHour[hour].Add(i);
        }

        var channels = scenario.Arrivals.Channels.Where(c => c.Value > 0).ToList();
        var channelWeights = channels.Select(c => c.Value).ToList();
        var hourlySum = hourly.Sum();
        var own = scenario.Arrivals.HourlyByChannel is { Count: > 0 } byChannel
            ? new Dictionary<string, List<double>>(byChannel, StringComparer.OrdinalIgnoreCase)
            : null;
        var arrivals = 0;
        for (var day = 0; day < scenario.Days; day++)
        {
            var date = scenario.Start.AddDays(day);
            var weekday = scenario.Arrivals.Weekday[((int)date.DayOfWeek + 6) % 7];
            for (var hour = 0; hour < 24; hour++)
            {
                var from = At(zone, date, hour);
                // a channel with a day curve of its own has its share of the day spread over it; the others follow hourly
                var weights = channelWeights;
                var expected = scenario.Arrivals.PerDay * weekday * hourly[hour] / hourlySum;
                if (own is not null)
                {
                    var shareSum = channelWeights.Sum();
                    weights = channels.Select(c => c.Value / shareSum
                        * (own.TryGetValue(c.Key, out var curve) ? curve[hour] / curve.Sum() : hourly[hour] / hourlySum)).ToList();
                    expected = scenario.Arrivals.PerDay * weekday * weights.Sum();
                }
                var count = Poisson(expected, random);
                var times = Enumerable.Range(0, count).Select(_ => from + TimeSpan.FromHours(random.NextDouble())).Order().ToList();
                foreach (var at in times)
                {
                    var channel = channels[Pick(weights, random)].Key.ToLowerInvariant();
                    int customer;
                    var near = (int)Math.Round(hour + Normal(random) * scenario.Customers.HourSpread);
                    var bucket = byHour[((near % 24) + 24) % 24];
                    if (random.NextDouble() < scenario.Customers.ReturningShare && bucket.Count > 0)
                    {
                        customer = bucket[random.Next(bucket.Count)];
                    }
                    else
                    {
                        customer = customers.Count;
                        customers.Add(new CustomerStart([], []));
                        byHour[hour].Add(customer);
                    }
                    var handle = TimeSpan.FromMinutes(LogNormal(scenario.HandleMean(channel), scenario.HandleSpread, random));
                    var patience = TimeSpan.FromMinutes(-Math.Log(1 - random.NextDouble()) * scenario.PatienceMean(channel));
                    events.Add(new ExternalEvent(at, ExternalKind.Arrival, customer, channel, handle, patience, arrivals++));
                }
            }
        }

        // presence changes before arrivals of the same instant; a stable sort keeps each kind's order
        var ordered = InTimeOrder(events);
        return new Traffic { Agents = agents, Events = ordered, Customers = customers, Start = start, End = end, Zone = zone, Arrivals = arrivals };
    }

    /// <summary>Events by instant; at the same instant presence changes before arrivals, and otherwise in the order given.</summary>
    internal static List<ExternalEvent> InTimeOrder(IEnumerable<ExternalEvent> events) =>
        events.Select((e, i) => (e, i)).OrderBy(x => x.e.At).ThenBy(x => x.e.Kind == ExternalKind.Arrival ? 1 : 0).ThenBy(x => x.i)
            .Select(x => x.e).ToList();

    /// <summary>
    /// The same traffic in a centre with more agents: each added agent a copy of an existing one (capacity, channels,
    /// working hours, and presence: at work whenever that agent is), named "{like}+{n}". Throws a
    /// <see cref="ScenarioException"/> naming an agent the traffic does not have.
    /// </summary>
    public Traffic With(IReadOnlyList<MoreAgents>? more)
    {
        if (more is not { Count: > 0 })
        {
            return this;
        }
        var agents = Agents.ToList();
        var clones = new Dictionary<int, List<int>>();
        foreach (var line in more)
        {
            var like = agents.FindIndex(a => a.Id == line.Like);
            if (like < 0 || like >= Agents.Count)
            {
                throw new ScenarioException($"moreAgents: there is no agent '{line.Like}' to add agents like");
            }
            var original = agents[like];
            var already = agents.Count(a => a.Id.StartsWith(original.Id + "+", StringComparison.Ordinal));
            for (var n = 1; n <= line.Count; n++)
            {
                var clone = new AgentPlan($"{original.Id}+{already + n}", original.Capacity, original.Channels, original.Hours);
                foreach (var (day, shift) in original.Shifts)
                {
                    clone.Shifts[day] = shift;
                }
                (clones.TryGetValue(like, out var list) ? list : clones[like] = []).Add(agents.Count);
                agents.Add(clone);
            }
        }
        var events = new List<ExternalEvent>(Events.Count);
        foreach (var e in Events)
        {
            events.Add(e);
            if (e.Kind is not (ExternalKind.Arrival or ExternalKind.CarryOver or ExternalKind.Message) && clones.TryGetValue(e.Subject, out var copies))
            {
                events.AddRange(copies.Select(c => e with { Subject = c }));
            }
        }
        return new Traffic { Agents = agents, Events = events, Customers = Customers, Start = Start, End = End, Zone = Zone, Arrivals = Arrivals };
    }

    private static (List<AgentPlan>, List<Rota>) DrawAgents(Scenario scenario, Random random)
    {
        var spec = scenario.Agents;
        var shares = spec.Shifts.Select(s => s.Share).ToList();
        var agents = new List<AgentPlan>();
        var rotas = new List<Rota>();
        var width = spec.Count.ToString(CultureInfo.InvariantCulture).Length;
        for (var i = 0; i < spec.Count; i++)
        {
            var shift = spec.Shifts[Pick(shares, random)];
            var firstDay = random.Next(7);
            var days = Enumerable.Range(0, spec.DaysPerWeek).Select(d => (DayOfWeek)((firstDay + d) % 7)).ToHashSet();
            var id = "agent-" + i.ToString(CultureInfo.InvariantCulture).PadLeft(width, '0');
            agents.Add(new AgentPlan(id, spec.Capacity, spec.Channels.Select(c => c.ToLowerInvariant()).ToArray(),
                WorkingHours.FromJson(ShiftJson(scenario.TimeZone, shift, days))));
            rotas.Add(new Rota(shift.StartHour, shift.Hours, days));
        }
        return (agents, rotas);
    }

    /// <summary>The agent's shift as the API's working hours, so that the policy sees it as it would see a real agent's.</summary>
    private static string ShiftJson(string zone, ShiftSpec shift, HashSet<DayOfWeek> days)
    {
        var weekly = new Dictionary<string, List<string>>();
        var from = TimeSpan.FromHours(shift.StartHour);
        var to = from + TimeSpan.FromHours(shift.Hours);
        foreach (var day in days)
        {
            Add(day, from, to < TimeSpan.FromDays(1) ? to : TimeSpan.FromDays(1));
            if (to > TimeSpan.FromDays(1))
            {
                Add((DayOfWeek)(((int)day + 1) % 7), TimeSpan.Zero, to - TimeSpan.FromDays(1));
            }
        }
        return JsonSerializer.Serialize(new { timeZone = zone, weekly });

        void Add(DayOfWeek day, TimeSpan a, TimeSpan b)
        {
            var name = day.ToString().ToLowerInvariant();
            (weekly.TryGetValue(name, out var list) ? list : weekly[name] = []).Add($"{Clock(a)}-{Clock(b)}");
        }
        static string Clock(TimeSpan t) => t >= TimeSpan.FromDays(1) ? "24:00" : $"{(int)t.TotalHours:00}:{t.Minutes:00}";
    }

    /// <summary>Each working day: available at the shift's start, away for each break, off at its end.</summary>
    private static void AddPresence(Scenario scenario, List<AgentPlan> agents, List<Rota> rotas, TimeZoneInfo zone, Random random, List<ExternalEvent> events)
    {
        var breakLength = TimeSpan.FromMinutes(scenario.Agents.BreakMinutes);
        for (var day = -1; day < scenario.Days; day++)
        {
            var date = scenario.Start.AddDays(day);
            for (var a = 0; a < agents.Count; a++)
            {
                var agent = rotas[a];
                if (!agent.Days.Contains(date.DayOfWeek))
                {
                    continue;
                }
                var on = At(zone, date, agent.StartHour);
                var off = on + TimeSpan.FromHours(agent.ShiftHours);
                if (day < 0 && off <= At(zone, scenario.Start, 0))
                {
                    continue; // yesterday's shift ended before the first day
                }
                agents[a].Shifts[date] = (on, off);
                events.Add(new ExternalEvent(on, ExternalKind.ShiftStart, a));
                for (var b = 0; b < scenario.Agents.BreaksPerShift && breakLength > TimeSpan.Zero; b++)
                {
                    var middle = TimeSpan.FromHours(agent.ShiftHours * (b + 1) / (scenario.Agents.BreaksPerShift + 1));
                    var at = on + middle + TimeSpan.FromMinutes((random.NextDouble() - 0.5) * 60);
                    if (at + breakLength < off)
                    {
                        events.Add(new ExternalEvent(at, ExternalKind.BreakStart, a));
                        events.Add(new ExternalEvent(at + breakLength, ExternalKind.BreakEnd, a));
                    }
                }
                events.Add(new ExternalEvent(off, ExternalKind.ShiftEnd, a));
            }
        }
    }

    /// <summary>An agent whose shift covers that hour on some day, drawn at random; -1 when none does.</summary>
    private static int AgentsAt(List<Rota> agents, int hour, Random random)
    {
        for (var tries = 0; tries < 64; tries++)
        {
            var a = random.Next(agents.Count);
            var offset = (hour - agents[a].StartHour + 24) % 24;
            if (offset < agents[a].ShiftHours)
            {
                return a;
            }
        }
        return -1;
    }

    internal static DateTimeOffset At(TimeZoneInfo zone, DateOnly date, double hour)
    {
        var local = date.ToDateTime(TimeOnly.MinValue).AddHours(hour);
        while (zone.IsInvalidTime(local))
        {
            local = local.AddHours(1);
        }
        return new DateTimeOffset(local, zone.GetUtcOffset(local)).ToUniversalTime();
    }

    private static int Pick(IReadOnlyList<double> weights, Random random)
    {
        var x = random.NextDouble() * weights.Sum();
        for (var i = 0; i < weights.Count; i++)
        {
            x -= weights[i];
            if (x < 0)
            {
                return i;
            }
        }
        return weights.Count - 1;
    }

    private static int Poisson(double mean, Random random)
    {
        if (mean > 50)
        {
            return Math.Max(0, (int)Math.Round(mean + Math.Sqrt(mean) * Normal(random)));
        }
        var limit = Math.Exp(-mean);
        var k = 0;
        for (var p = random.NextDouble(); p > limit; p *= random.NextDouble())
        {
            k++;
        }
        return k;
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    /// <summary>A log-normal draw with that mean and that spread (sigma of the logarithm).</summary>
    private static double LogNormal(double mean, double sigma, Random random) =>
        Math.Exp(Math.Log(mean) - sigma * sigma / 2 + sigma * Normal(random));
}

/// <summary>
/// An agent of the simulated or replayed centre: capacity, channels, working hours as the policy sees them (null: none set),
/// and when the agent was at work on each day (local date of the shift's start; for a replay, from the first presence
/// online to the last offline), which tells a customer who wrote before the shift from one who wrote after it.
/// </summary>
internal sealed record AgentPlan(string Id, int Capacity, string[] Channels, WorkingHours? Hours)
{
    public Dictionary<DateOnly, (DateTimeOffset On, DateTimeOffset Off)> Shifts { get; } = [];

    /// <summary>The agent's last assignment before the traffic starts (a replay's; null: none).</summary>
    public DateTimeOffset? LastAssignedAt { get; init; }
}

/// <summary>A drawn agent's rota: the same shift on each working day.</summary>
internal sealed record Rota(int StartHour, double ShiftHours, HashSet<DayOfWeek> Days);

/// <summary>A customer's preferred agents (by index) before the first day.</summary>
internal sealed record CustomerStart(int[] Owners, (int Agent, DateTimeOffset At)[] History);

internal enum ExternalKind
{
    /// <summary>A replayed presence change: the agent's presence is <see cref="ExternalEvent.Presence"/> from then on.</summary>
    Presence,

    /// <summary>A replay's conversation that <see cref="ExternalEvent.Agent"/> had when the period began: it takes a slot for <see cref="ExternalEvent.Handle"/>.</summary>
    CarryOver,

    /// <summary>A replayed message of a customer whose conversation goes on: on another channel, it moves the conversation there.</summary>
    Message,
    ShiftStart,
    BreakStart,
    BreakEnd,
    ShiftEnd,
    Arrival,
}

/// <summary>
/// Something the policy does not decide: an agent's presence changes (<see cref="Subject"/> is the agent) or a customer
/// starts a conversation (<see cref="Subject"/> is the customer; it would take <see cref="Handle"/> to serve, and the
/// customer gives up after <see cref="Patience"/> unanswered).
/// </summary>
internal sealed record ExternalEvent(DateTimeOffset At, ExternalKind Kind, int Subject, string Channel = "", TimeSpan Handle = default,
    TimeSpan Patience = default, int Index = -1, string? Presence = null, int Agent = -1);
