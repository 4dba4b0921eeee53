using Routing.Contracts;
using Routing.Policy;

namespace Routing.Simulation;

/// <summary>An agent during one simulated run: presence, load and what is held for them.</summary>
internal sealed class SimAgent(AgentPlan plan, int index)
{
    private AgentSnapshot? _snapshot;

    public AgentPlan Plan { get; } = plan;
    public int Index { get; } = index;
    public string Id => Plan.Id;

    public bool OnShift { get; set; }
    public bool OnBreak { get; set; }
    public int Open { get; private set; }
    public DateTimeOffset PresenceChangedAt { get; private set; } = DateTimeOffset.MinValue;
    public DateTimeOffset? LastAssignedAt { get; private set; } = plan.LastAssignedAt;
    public string Presence { get; private set; } = AgentPresences.Offline;

    /// <summary>Where the agent sits in the run's list of agents with a free slot (-1: not there).</summary>
    public int FreeIndex { get; set; } = -1;

    /// <summary>Conversations held for the agent, in the order they started waiting.</summary>
    public List<SimConversation> HeldFor { get; } = [];

    public DateTimeOffset? ShiftStartedAt { get; set; }
    public double ShiftSeconds { get; set; }
    public double BusySeconds { get; set; }
    public int Assigned { get; private set; }

    /// <summary>The agent as the routing policy sees it: the same record the live service builds from its row.</summary>
    public AgentSnapshot Snapshot => _snapshot ??= new AgentSnapshot
    {
        Id = Plan.Id,
        Presence = Presence,
        PresenceChangedAt = PresenceChangedAt,
        OpenCount = Open,
        Capacity = Plan.Capacity,
        Channels = Plan.Channels,
        Hours = Plan.Hours,
        LastAssignedAt = LastAssignedAt,
    };

    public bool CanTakeMore => Presence == AgentPresences.Available && Open < Plan.Capacity;

    /// <summary>A replay's agent: the presence recorded last (null for a drawn agent, whose presence follows the shift).</summary>
    public string? RecordedPresence { get; set; }

    /// <summary>
    /// A replayed agent: the presence recorded. A drawn one: on shift and not on a break, available; on a break, or past the
    /// shift with work left, away; otherwise offline.
    /// </summary>
    public bool UpdatePresence(DateTimeOffset now)
    {
        var presence = RecordedPresence ?? (OnShift ? OnBreak ? AgentPresences.Away : AgentPresences.Available
            : Open > 0 ? AgentPresences.Away : AgentPresences.Offline);
        if (presence == Presence)
        {
            return false;
        }
        Presence = presence;
        PresenceChangedAt = now;
        _snapshot = null;
        return true;
    }

    public void Took(DateTimeOffset now)
    {
        Open++;
        Assigned++;
        LastAssignedAt = now;
        _snapshot = null;
    }

    /// <summary>A conversation the agent already had when the traffic starts: a slot taken, no new assignment.</summary>
    public void Carried()
    {
        Open++;
        _snapshot = null;
    }

    public void Finished()
    {
        Open--;
        _snapshot = null;
    }
}

internal enum SimStatus
{
    Queued,
    Held,
    Open,
    Closed,
    Abandoned,
}

/// <summary>A conversation during one simulated run, from its customer's first message to its close or abandonment.</summary>
internal sealed class SimConversation(ExternalEvent arrival)
{
    public ExternalEvent Arrival { get; } = arrival;
    public int Customer => Arrival.Subject;
    /// <summary>The channel the customer wrote on last (a message on another one moves the conversation there).</summary>
    public string Channel { get; set; } = arrival.Channel;
    public DateTimeOffset ArrivedAt => Arrival.At;

    public SimStatus Status { get; set; } = SimStatus.Queued;
    public SimAgent? Agent { get; set; }
    public DateTimeOffset? AssignedAt { get; set; }
    public string? Reason { get; set; }

    /// <summary>The agents it is held for while held; after its hold ended, the hold's end (one hold per wait).</summary>
    public List<SimAgent> HeldFor { get; } = [];
    public DateTimeOffset? HoldUntil { get; set; }
    public bool InQueue { get; set; }

    /// <summary>The first of the customer's preferred agents when the conversation started (null: a customer no one served before).</summary>
    public string? FirstPreferred { get; set; }
    public IReadOnlyList<string> Preferred { get; set; } = [];
    public bool FirstPreferredWorksToday => FirstPreferredState is not PreferredState.OffDay;
    public bool FirstPreferredOnShift => FirstPreferredState is PreferredState.Free or PreferredState.Busy or PreferredState.OnBreak;

    /// <summary>Where the first preferred agent was when the conversation started (meaningful only with <see cref="FirstPreferred"/>).</summary>
    public PreferredState FirstPreferredState { get; set; }
}

/// <summary>Where a returning customer's first preferred agent was when the customer wrote: the report's hit rate by cause.</summary>
internal enum PreferredState
{
    /// <summary>On shift with a free slot.</summary>
    Free,

    /// <summary>On shift with every slot taken.</summary>
    Busy,

    /// <summary>On shift, on a break.</summary>
    OnBreak,

    /// <summary>Works that day; the shift had not started.</summary>
    BeforeShift,

    /// <summary>Works that day; the shift was over.</summary>
    AfterShift,

    /// <summary>Does not work that day.</summary>
    OffDay,
}

/// <summary>Orders waiting conversations as rule 5 does: priority (all equal here), then arrival, then id.</summary>
internal sealed class WaitingOrder : IComparer<SimConversation>
{
    public static readonly WaitingOrder Instance = new();

    public int Compare(SimConversation? x, SimConversation? y) =>
        x!.ArrivedAt.CompareTo(y!.ArrivedAt) is var c and not 0 ? c : x.Arrival.Index.CompareTo(y.Arrival.Index);
}
