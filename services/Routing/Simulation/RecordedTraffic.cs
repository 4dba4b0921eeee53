using Routing.Contracts;
using Routing.Database;
using Routing.Policy;

namespace Routing.Simulation;

/// <summary>
/// Recorded traffic as the simulator's input: the agents as they are configured, their presence as it changed, each
/// conversation that started in the period as an arrival on its channel, and the customers' owners and history as they
/// stood when it began. What the record does not say is assumed, and the routing README lists it: a conversation's
/// handle time is its agent's time from assignment to close (still open: to the period's end); a customer an agent
/// answered would have waited as long as it took; one who never reached an agent gave up when the conversation closed.
/// A customer's later messages matter only when they move the conversation to another channel.
/// </summary>
internal sealed class RecordedTraffic
{
    /// <summary>A customer who reached an agent, or still waits at the period's end, is not assumed to give up.</summary>
    private static readonly TimeSpan Patient = TimeSpan.FromDays(3650);

    /// <summary>The handle time of a conversation no agent took, on a channel where none closed: the standard month's.</summary>
    private static readonly TimeSpan DefaultHandle = TimeSpan.FromMinutes(9);

    public required Traffic Traffic { get; init; }

    /// <summary>The recorded conversation of each arrival, by its index.</summary>
    public required IReadOnlyList<Guid> Conversations { get; init; }

    public int PresenceChanges { get; init; }

    public static async Task<RecordedTraffic> LoadAsync(RoutingTransaction tx, DateTimeOffset from, DateTimeOffset to, TimeSpan historyLookback, CancellationToken ct)
    {
        var data = await ReplayStore.ReadAsync(tx, from, to, from - historyLookback, ct);
        return From(data, from, to);
    }

    public static RecordedTraffic From(ReplayData data, DateTimeOffset from, DateTimeOffset to)
    {
        var agents = data.Agents.Select(a => new AgentPlan(a.Id, a.Capacity, a.Channels.Select(c => c.ToLowerInvariant()).ToArray(),
            a.WorkingHours is { } hours ? WorkingHours.FromJson(hours) : null)
        {
            LastAssignedAt = data.LastAssigned.TryGetValue(a.Id, out var last) ? last : null,
        }).ToList();
        var agentIndex = agents.Select((a, i) => (a.Id, i)).ToDictionary(x => x.Id, x => x.i, StringComparer.Ordinal);
        var events = new List<ExternalEvent>();

        // presence: as it stood at the start, then every change, in the order recorded
        var timeline = data.PresenceAtStart.Select(p => (p.AgentId, p.Presence, At: from))
            .Concat(data.PresenceChanges.Select(p => (p.AgentId, p.Presence, At: AgentRow.Utc(p.At))))
            .Where(p => agentIndex.ContainsKey(p.AgentId))
            .ToList();
        foreach (var (agentId, presence, at) in timeline)
        {
            events.Add(new ExternalEvent(at, ExternalKind.Presence, agentIndex[agentId], Presence: presence));
        }
        MarkShifts(agents, agentIndex, timeline, to);

        // customers, in the order they first wrote in the period
        var customerIndex = new Dictionary<Guid, int>();
        foreach (var customer in data.Carried.Select(c => c.CustomerId).Concat(data.Conversations.Select(c => c.CustomerId)))
        {
            customerIndex.TryAdd(customer, customerIndex.Count);
        }
        foreach (var c in data.Carried.Where(c => agentIndex.ContainsKey(c.AgentId)))
        {
            var handle = (c.ClosedAt is { } closed ? AgentRow.Utc(closed) : to + TimeSpan.FromDays(1)) - from;
            events.Add(new ExternalEvent(from, ExternalKind.CarryOver, customerIndex[c.CustomerId], c.Channel.ToLowerInvariant(), handle, Agent: agentIndex[c.AgentId]));
        }
        var owners = data.Owners.Where(o => agentIndex.ContainsKey(o.AgentId)).ToLookup(o => o.CustomerId, o => agentIndex[o.AgentId]);
        var history = data.History.Where(h => agentIndex.ContainsKey(h.AgentId))
            .ToLookup(h => h.CustomerId, h => (agentIndex[h.AgentId], h.At));
        var customers = customerIndex.OrderBy(c => c.Value)
            .Select(c => new CustomerStart(owners[c.Key].ToArray(), history[c.Key].OrderByDescending(h => h.At).ToArray()))
            .ToList();

        var handles = data.Conversations.Where(c => c.AssignedAt is not null && c.ClosedAt is not null)
            .GroupBy(c => c.Channel, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => TimeSpan.FromSeconds(g.Average(c => (c.ClosedAt!.Value - c.AssignedAt!.Value).TotalSeconds)),
                StringComparer.OrdinalIgnoreCase);
        var ids = new List<Guid>();
        foreach (var c in data.Conversations)
        {
            var created = AgentRow.Utc(c.CreatedAt);
            var handle = c.AssignedAt is { } assigned
                ? (c.ClosedAt is { } closed ? AgentRow.Utc(closed) : to) - AgentRow.Utc(assigned)
                : handles.GetValueOrDefault(c.Channel, DefaultHandle);
            var patience = c.AssignedAt is null && c.ClosedAt is { } gaveUp ? AgentRow.Utc(gaveUp) - created : Patient;
            events.Add(new ExternalEvent(created, ExternalKind.Arrival, customerIndex[c.CustomerId], c.Channel.ToLowerInvariant(),
                handle < TimeSpan.Zero ? TimeSpan.Zero : handle, patience, ids.Count));
            ids.Add(c.Id);
        }

        var customerOf = data.Conversations.ToDictionary(c => c.Id, c => customerIndex[c.CustomerId]);
        foreach (var move in data.ChannelMoves.Where(m => customerOf.ContainsKey(m.ConversationId)))
        {
            events.Add(new ExternalEvent(move.At, ExternalKind.Message, customerOf[move.ConversationId], move.Channel.ToLowerInvariant()));
        }

        var ordered = Traffic.InTimeOrder(events);
        return new RecordedTraffic
        {
            Traffic = new Traffic
            {
                Agents = agents, Events = ordered, Customers = customers, Start = from, End = to, Zone = TimeZoneInfo.Utc, Arrivals = ids.Count,
            },
            Conversations = ids,
            PresenceChanges = data.PresenceChanges.Count,
        };
    }

    /// <summary>Each agent's working day (UTC): from the first time online to the last time offline that day.</summary>
    private static void MarkShifts(List<AgentPlan> agents, Dictionary<string, int> index, List<(string AgentId, string Presence, DateTimeOffset At)> timeline,
        DateTimeOffset to)
    {
        var online = new Dictionary<int, DateTimeOffset>();
        foreach (var (agentId, presence, at) in timeline.OrderBy(p => p.At))
        {
            var agent = index[agentId];
            if (presence != AgentPresences.Offline)
            {
                online.TryAdd(agent, at);
            }
            else if (online.Remove(agent, out var since))
            {
                Mark(agents[agent], since, at);
            }
        }
        foreach (var (agent, since) in online)
        {
            Mark(agents[agent], since, to);
        }

        static void Mark(AgentPlan plan, DateTimeOffset on, DateTimeOffset off)
        {
            var day = DateOnly.FromDateTime(on.UtcDateTime);
            plan.Shifts[day] = plan.Shifts.TryGetValue(day, out var shift) ? (shift.On, off) : (on, off);
        }
    }
}
