using Routing.Contracts;
using Routing.Policy;

namespace Routing.Simulation;

/// <summary>
/// One policy over the traffic, as a discrete-event simulation on a <see cref="VirtualClock"/>: the traffic's arrivals and
/// presence changes, and the run's own events (a conversation handled to its end, a customer giving up, a hold ending),
/// taken in time order. The run keeps what the live service keeps: agents' load and presence, the conversations held and
/// queued, and the history of who handled each customer.
/// </summary>
internal sealed class SimRun
{
    private readonly Traffic _traffic;
    private readonly SimPolicy _policy;
    private readonly VirtualClock _clock;
    private readonly List<SimAgent> _agents;
    private readonly Dictionary<string, SimAgent> _byId;
    private readonly List<SimAgent> _free = [];
    private readonly List<AgentSnapshot> _pool = [];
    private readonly Dictionary<string, SortedSet<SimConversation>> _queues = new(StringComparer.Ordinal);
    private readonly Dictionary<int, SimConversation> _active = [];
    private readonly Dictionary<int, List<(int Agent, DateTimeOffset At)>> _history = [];
    private readonly PriorityQueue<(InternalKind Kind, SimConversation Conversation), (long Ticks, long Seq)> _internal = new();
    private readonly TimeSpan _measureLookback;
    private long _seq;

    public SimRun(Traffic traffic, SimPolicy policy, TimeSpan measureLookback, bool recordDecisions = false)
    {
        Decisions = recordDecisions ? [] : null;
        _traffic = traffic;
        _policy = policy;
        _measureLookback = measureLookback;
        _clock = new VirtualClock(traffic.Events.Count > 0 ? traffic.Events[0].At : traffic.Start);
        _agents = traffic.Agents.Select((plan, i) => new SimAgent(plan, i)).ToList();
        _byId = _agents.ToDictionary(a => a.Id, StringComparer.Ordinal);
        Measures = new SimMeasures(policy.Label);
    }

    public TimeProvider Clock => _clock;
    public DateTimeOffset Now => _clock.GetUtcNow();
    public IReadOnlyList<SimAgent> Agents => _agents;

    /// <summary>Agents available with a free slot, in no particular order.</summary>
    public IReadOnlyList<SimAgent> Free => _free;

    public SimMeasures Measures { get; }

    /// <summary>Every decision in order, when asked for (a replay compared with what the live service decided); otherwise null.</summary>
    public List<SimDecisionRecord>? Decisions { get; }

    public SimAgent Agent(string id) => _byId[id];

    /// <summary>
    /// The agents rule 4 could rank first for the channel: those available with a free slot who serve it, with the least
    /// open conversations among them (<see cref="RoutingPolicy.RankFallback"/> orders by open count first, so no one else can
    /// come first). Sorting only these keeps a month of a large centre fast; the ranking itself is the service's.
    /// </summary>
    public IReadOnlyList<AgentSnapshot> FallbackPool(string channel)
    {
        _pool.Clear();
        var least = int.MaxValue;
        foreach (var agent in _free)
        {
            if (agent.Open > least || !agent.Snapshot.Serves(channel))
            {
                continue;
            }
            if (agent.Open < least)
            {
                least = agent.Open;
                _pool.Clear();
            }
            _pool.Add(agent.Snapshot);
        }
        return _pool;
    }

    /// <summary>The customer's preferred set as the live service builds it (<see cref="RoutingPolicy.PreferredSet"/>).</summary>
    public IReadOnlyList<Candidate> PreferredSet(int customer, TimeSpan lookback)
    {
        var start = _traffic.Customers[customer];
        return RoutingPolicy.PreferredSet(
            start.Owners.Select(o => _agents[o].Snapshot),
            History(customer).Select(h => (_agents[h.Agent].Snapshot, h.At)),
            Now, lookback);
    }

    /// <summary>The agent who last handled the customer (closed a conversation of theirs), or null.</summary>
    public SimAgent? LastAgent(int customer) =>
        History(customer) is { Count: > 0 } history ? _agents[history.MaxBy(h => h.At).Agent] : null;

    public SimMeasures Run()
    {
        var events = _traffic.Events;
        var end = _traffic.End.UtcTicks;
        var next = 0;
        while (true)
        {
            // the period is over at its end: what still waits or is open then is counted as such
            var external = next < events.Count && events[next].At.UtcTicks < end ? events[next] : null;
            if (_internal.TryPeek(out var item, out var at) && at.Ticks < end && (external is null || at.Ticks <= external.At.UtcTicks))
            {
                _internal.Dequeue();
                _clock.AdvanceTo(new DateTimeOffset(at.Ticks, TimeSpan.Zero));
                Fire(item.Kind, item.Conversation);
                continue;
            }
            if (external is null)
            {
                break;
            }
            next++;
            _clock.AdvanceTo(external.At);
            Apply(external);
        }
        foreach (var agent in _agents.Where(a => a.ShiftStartedAt is not null))
        {
            agent.ShiftSeconds += (Now - agent.ShiftStartedAt!.Value).TotalSeconds;
        }
        Measures.Finish(_agents, _active.Values);
        return Measures;
    }

    private void Apply(ExternalEvent e)
    {
        switch (e.Kind)
        {
            case ExternalKind.Arrival:
                Arrive(e);
                return;
            case ExternalKind.CarryOver:
                CarryOver(e);
                return;
            case ExternalKind.Message:
                if (_active.TryGetValue(e.Subject, out var going))
                {
                    Moved(going, e.Channel);
                }
                return;
        }
        var agent = _agents[e.Subject];
        switch (e.Kind)
        {
            case ExternalKind.Presence:
                agent.RecordedPresence = e.Presence;
                var online = e.Presence != AgentPresences.Offline;
                if (online && !agent.OnShift)
                {
                    agent.ShiftStartedAt = Now;
                }
                else if (!online && agent.OnShift)
                {
                    agent.ShiftSeconds += (Now - (agent.ShiftStartedAt ?? Now)).TotalSeconds;
                    agent.ShiftStartedAt = null;
                }
                agent.OnShift = online;
                agent.OnBreak = e.Presence == AgentPresences.Away;
                break;
            case ExternalKind.ShiftStart:
                agent.OnShift = true;
                agent.OnBreak = false;
                agent.ShiftStartedAt = Now;
                break;
            case ExternalKind.ShiftEnd when agent.OnShift:
                agent.OnShift = false;
                agent.ShiftSeconds += (Now - (agent.ShiftStartedAt ?? Now)).TotalSeconds;
                agent.ShiftStartedAt = null;
                break;
            case ExternalKind.BreakStart when agent.OnShift:
                agent.OnBreak = true;
                break;
            case ExternalKind.BreakEnd:
                agent.OnBreak = false;
                break;
        }
        PresenceMayHaveChanged(agent);
    }

    private void Arrive(ExternalEvent e)
    {
        if (_active.TryGetValue(e.Subject, out var open))
        {
            Measures.Joined();
            Moved(open, e.Channel);
            return; // rule 1: the customer's open conversation takes the message
        }
        var conversation = new SimConversation(e);
        _active[e.Subject] = conversation;
        var preferred = PreferredSet(e.Subject, _measureLookback);
        if (preferred.Count > 0)
        {
            var first = _byId[preferred[0].Agent.Id];
            conversation.FirstPreferred = first.Id;
            conversation.Preferred = preferred.Select(c => c.Agent.Id).ToList();
            conversation.FirstPreferredState = StateOf(first);
        }
        Schedule(Now + e.Patience, InternalKind.Abandon, conversation);
        Decide(conversation, _policy.Route(this, conversation, holdAllowed: true));
    }

    /// <summary>
    /// As the live service does when a customer writes on another channel: the conversation moves there, and a queued one
    /// is routed again (someone may be free on that channel), with a hold only if it was never held.
    /// </summary>
    private void Moved(SimConversation conversation, string channel)
    {
        if (conversation.Channel == channel)
        {
            return;
        }
        if (conversation.Status != SimStatus.Queued)
        {
            conversation.Channel = channel;
            if (conversation.Status == SimStatus.Held && !conversation.HeldFor.Any(a => a.Snapshot.IsOnline && a.Snapshot.Serves(channel) && a.Plan.Capacity > 0))
            {
                EndHold(conversation, RoutingTriggers.HeldAgentsUnavailable); // the sweep's: none it waits for serves the new channel
            }
            return;
        }
        Unwait(conversation);
        conversation.Channel = channel;
        Decide(conversation, _policy.Route(this, conversation, holdAllowed: conversation.HoldUntil is null));
    }

    /// <summary>A conversation already with its agent when the traffic starts: open for its handle time, not counted in the measures.</summary>
    private void CarryOver(ExternalEvent e)
    {
        var agent = _agents[e.Agent];
        var conversation = new SimConversation(e) { Status = SimStatus.Open, Agent = agent, AssignedAt = Now, Reason = "carried-over" };
        _active[e.Subject] = conversation;
        agent.Carried();
        SyncFree(agent);
        Schedule(Now + e.Handle, InternalKind.Finish, conversation);
    }

    private PreferredState StateOf(SimAgent agent)
    {
        if (agent.OnShift)
        {
            return agent.OnBreak ? PreferredState.OnBreak : agent.Open >= agent.Plan.Capacity ? PreferredState.Busy : PreferredState.Free;
        }
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(Now, _traffic.Zone).DateTime);
        if (!agent.Plan.Shifts.TryGetValue(today, out var shift))
        {
            return PreferredState.OffDay;
        }
        return Now < shift.On ? PreferredState.BeforeShift : PreferredState.AfterShift;
    }

    private void Decide(SimConversation conversation, SimDecision decision)
    {
        if (decision.Agent is { } agent)
        {
            Assign(conversation, agent, decision.Reason);
            return;
        }
        if (decision.HoldFor is { Count: > 0 } holdFor && decision.Until is { } until)
        {
            conversation.Status = SimStatus.Held;
            conversation.HoldUntil = until;
            conversation.HeldFor.AddRange(holdFor);
            foreach (var heldFor in holdFor)
            {
                heldFor.HeldFor.Add(conversation);
            }
            Measures.HoldStarted();
            Decisions?.Add(new SimDecisionRecord(conversation.Arrival.Index, Now, RoutingOutcomes.Held, null, decision.Reason));
            Schedule(until, InternalKind.HoldEnds, conversation);
            return;
        }
        conversation.Status = SimStatus.Queued;
        conversation.InQueue = true;
        Decisions?.Add(new SimDecisionRecord(conversation.Arrival.Index, Now, RoutingOutcomes.Queued, null, decision.Reason));
        Queue(conversation.Channel).Add(conversation);
    }

    private void Assign(SimConversation conversation, SimAgent agent, string reason)
    {
        if (!agent.CanTakeMore)
        {
            throw new InvalidOperationException($"{_policy.Label} chose {agent.Id}, who cannot take more: capacity would be exceeded");
        }
        var wasHeld = conversation.HeldFor.Count > 0 || conversation.HoldUntil is not null;
        Unwait(conversation);
        conversation.Status = SimStatus.Open;
        conversation.Agent = agent;
        conversation.AssignedAt = Now;
        conversation.Reason = reason;
        agent.Took(Now);
        if (!agent.CanTakeMore)
        {
            RemoveFree(agent);
        }
        Measures.Assigned(conversation, wasHeld);
        Decisions?.Add(new SimDecisionRecord(conversation.Arrival.Index, Now, RoutingOutcomes.Assigned, agent.Id, reason));
        Schedule(Now + conversation.Arrival.Handle, InternalKind.Finish, conversation);
    }

    private void Fire(InternalKind kind, SimConversation conversation)
    {
        switch (kind)
        {
            case InternalKind.Finish when conversation.Status == SimStatus.Open:
                var agent = conversation.Agent!;
                conversation.Status = SimStatus.Closed;
                _active.Remove(conversation.Customer);
                agent.Finished();
                agent.BusySeconds += conversation.Arrival.Handle.TotalSeconds;
                RecordHistory(conversation.Customer, agent.Index);
                PresenceMayHaveChanged(agent);
                Drain(agent);
                break;

            case InternalKind.Abandon when conversation.Status is SimStatus.Queued or SimStatus.Held:
                Unwait(conversation);
                conversation.Status = SimStatus.Abandoned;
                _active.Remove(conversation.Customer);
                Measures.Abandoned(conversation);
                break;

            case InternalKind.HoldEnds when conversation.Status == SimStatus.Held:
                EndHold(conversation, RoutingTriggers.HoldExpired);
                break;
        }
    }

    /// <summary>The hold is over (expired, or no one it waits for is online): routed again, without a new hold.</summary>
    private void EndHold(SimConversation conversation, string trigger)
    {
        Unwait(conversation);
        var decision = _policy.Route(this, conversation, holdAllowed: false);
        Measures.HoldEnded(conversation, decision, trigger);
        Decide(conversation, decision);
    }

    private void PresenceMayHaveChanged(SimAgent agent)
    {
        var changed = agent.UpdatePresence(Now);
        SyncFree(agent);
        if (!changed)
        {
            return;
        }
        if (agent.Presence == AgentPresences.Available)
        {
            Drain(agent);
        }
        else if (agent.Presence == AgentPresences.Offline)
        {
            // the live service's sweep: holds none of whose agents is online any more end now
            foreach (var held in agent.HeldFor.ToList().Where(h => !h.HeldFor.Any(a => a.Snapshot.IsOnline && a.Snapshot.Serves(h.Channel) && a.Plan.Capacity > 0)))
            {
                EndHold(held, RoutingTriggers.HeldAgentsUnavailable);
            }
        }
    }

    /// <summary>Rule 5: a freed slot takes a conversation held for the agent first, then the oldest waiting one it serves.</summary>
    private void Drain(SimAgent agent)
    {
        while (agent.CanTakeMore)
        {
            var next = agent.HeldFor.FirstOrDefault(h => agent.Snapshot.Serves(h.Channel));
            var reason = RoutingReasons.HeldForAgent;
            if (next is null)
            {
                reason = RoutingReasons.Queue;
                foreach (var channel in agent.Plan.Channels)
                {
                    if (_queues.TryGetValue(channel, out var queue) && queue.Count > 0 && (next is null || WaitingOrder.Instance.Compare(queue.Min, next) < 0))
                    {
                        next = queue.Min;
                    }
                }
            }
            if (next is null)
            {
                return;
            }
            Assign(next, agent, reason);
        }
    }

    /// <summary>Out of the queue and of every held-for list.</summary>
    private void Unwait(SimConversation conversation)
    {
        if (conversation.InQueue)
        {
            Queue(conversation.Channel).Remove(conversation);
            conversation.InQueue = false;
        }
        foreach (var agent in conversation.HeldFor)
        {
            agent.HeldFor.Remove(conversation);
        }
        conversation.HeldFor.Clear();
    }

    private void SyncFree(SimAgent agent)
    {
        if (agent.CanTakeMore)
        {
            if (agent.FreeIndex < 0)
            {
                agent.FreeIndex = _free.Count;
                _free.Add(agent);
            }
        }
        else
        {
            RemoveFree(agent);
        }
    }

    private void RemoveFree(SimAgent agent)
    {
        if (agent.FreeIndex < 0)
        {
            return;
        }
        var last = _free[^1];
        _free[agent.FreeIndex] = last;
        last.FreeIndex = agent.FreeIndex;
        _free.RemoveAt(_free.Count - 1);
        agent.FreeIndex = -1;
    }

    private List<(int Agent, DateTimeOffset At)> History(int customer) =>
        _history.TryGetValue(customer, out var history) ? history : [.. _traffic.Customers[customer].History];

    /// <summary>As the live service does when a conversation closes: the agent handled the customer now.</summary>
    private void RecordHistory(int customer, int agent)
    {
        if (!_history.TryGetValue(customer, out var history))
        {
            _history[customer] = history = [.. _traffic.Customers[customer].History];
        }
        history.RemoveAll(h => h.Agent == agent);
        history.Add((agent, Now));
    }

    private SortedSet<SimConversation> Queue(string channel) =>
        _queues.TryGetValue(channel, out var queue) ? queue : _queues[channel] = new SortedSet<SimConversation>(WaitingOrder.Instance);

    private void Schedule(DateTimeOffset at, InternalKind kind, SimConversation conversation) =>
        _internal.Enqueue((kind, conversation), (at.UtcTicks, _seq++));

    private enum InternalKind
    {
        Finish,
        Abandon,
        HoldEnds,
    }
}

/// <summary>One decision of a run: the arrival (its index in the traffic), when, assigned, held or queued, to whom, and why.</summary>
internal sealed record SimDecisionRecord(int Arrival, DateTimeOffset At, string Outcome, string? Agent, string Reason);
