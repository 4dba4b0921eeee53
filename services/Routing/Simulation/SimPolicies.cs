using Routing.Contracts;
using Routing.Policy;

namespace Routing.Simulation;

/// <summary>What a policy decided for a conversation that needs an agent: an agent, a hold for some, or the queue.</summary>
internal readonly record struct SimDecision(SimAgent? Agent, string Reason, IReadOnlyList<SimAgent>? HoldFor = null, DateTimeOffset? Until = null)
{
    public static SimDecision Queue => new(null, RoutingReasons.NoAgentAvailable);
}

/// <summary>
/// A way to choose the agent for a conversation that needs one (a new one, or one whose hold ended). Every policy fills a
/// freed slot the same way (rule 5: held for that agent first, then the oldest waiting), so that they differ only here.
/// </summary>
internal abstract class SimPolicy(string label)
{
    protected static readonly IReadOnlySet<string> NoOne = new HashSet<string>();

    public string Label { get; } = label;

    public abstract SimDecision Route(SimRun run, SimConversation conversation, bool holdAllowed);

    public static SimPolicy From(PolicySpec spec, RoutingOptions defaults) => spec.Kind switch
    {
        PolicyKinds.Relationship => new RelationshipPolicy(spec.Label, OptionsOf(spec, defaults)),
        PolicyKinds.RoundRobin => new RoundRobinPolicy(spec.Label),
        PolicyKinds.LongestIdle => new LongestIdlePolicy(spec.Label),
        PolicyKinds.LastAgent => new LastAgentPolicy(spec.Label),
        _ => throw new ScenarioException($"policies: kind '{spec.Kind}' is none of {string.Join(", ", PolicyKinds.All)}"),
    };

    /// <summary>The routing options a policy line describes: the service's, with its hold waits and lookback over them.</summary>
    public static RoutingOptions OptionsOf(PolicySpec spec, RoutingOptions defaults)
    {
        var holds = new Dictionary<string, TimeSpan>(defaults.HoldWait, StringComparer.OrdinalIgnoreCase);
        var fallbackHold = defaults.DefaultHoldWait;
        foreach (var (channel, minutes) in spec.HoldMinutes ?? [])
        {
            if (channel == "default")
            {
                fallbackHold = TimeSpan.FromMinutes(minutes);
                continue;
            }
            holds[channel] = TimeSpan.FromMinutes(minutes);
        }
        return new RoutingOptions
        {
            HoldWait = holds,
            DefaultHoldWait = fallbackHold,
            HistoryLookback = spec.HistoryLookbackDays is { } days ? TimeSpan.FromDays(days) : defaults.HistoryLookback,
            OfflineGrace = defaults.OfflineGrace,
        };
    }
}

/// <summary>
/// This project's policy, exactly as the live service applies it (<see cref="Assignment.AgentChooser"/>): the preferred set,
/// rules 2 and 3 (<see cref="RoutingPolicy.EvaluatePreferred"/>), then rule 4 (<see cref="RoutingPolicy.RankFallback"/>), else
/// the queue. The agents are the same <see cref="AgentSnapshot"/>s the service builds, at the simulated instant.
/// </summary>
internal sealed class RelationshipPolicy(string label, RoutingOptions options) : SimPolicy(label)
{
    public RoutingOptions Options { get; } = options;

    public override SimDecision Route(SimRun run, SimConversation conversation, bool holdAllowed)
    {
        var preferred = run.PreferredSet(conversation.Customer, Options.HistoryLookback);
        var need = new Need(conversation.Channel);
        switch (RoutingPolicy.EvaluatePreferred(need, preferred, NoOne, holdAllowed, Options.HoldWaitFor(conversation.Channel), run.Now))
        {
            case PreferredOutcome.Assign assign:
                return new SimDecision(run.Agent(assign.Candidate.Agent.Id),
                    assign.Candidate.Source == CandidateSources.Owner ? RoutingReasons.PreferredOwner : RoutingReasons.PreferredHistory);
            case PreferredOutcome.Hold hold:
                return new SimDecision(null, RoutingReasons.PreferredBusy, hold.HeldFor.Select(run.Agent).ToList(), hold.Until);
        }
        return RoutingPolicy.RankFallback(need, run.FallbackPool(conversation.Channel), NoOne).FirstOrDefault() is { } best
            ? new SimDecision(run.Agent(best.Id), RoutingReasons.Fallback)
            : SimDecision.Queue;
    }
}

/// <summary>The next agent in turn (by id, after the last one chosen) who is available with a free slot on the channel.</summary>
internal sealed class RoundRobinPolicy(string label) : SimPolicy(label)
{
    private int _next;

    public override SimDecision Route(SimRun run, SimConversation conversation, bool holdAllowed)
    {
        var agents = run.Agents;
        for (var i = 0; i < agents.Count; i++)
        {
            var agent = agents[(_next + i) % agents.Count];
            if (agent.CanTakeMore && agent.Snapshot.Serves(conversation.Channel))
            {
                _next = (agent.Index + 1) % agents.Count;
                return new SimDecision(agent, RoutingReasons.Fallback);
            }
        }
        return SimDecision.Queue;
    }
}

/// <summary>The available agent with a free slot on the channel whose last assignment is oldest (never assigned first).</summary>
internal sealed class LongestIdlePolicy(string label) : SimPolicy(label)
{
    public override SimDecision Route(SimRun run, SimConversation conversation, bool holdAllowed)
    {
        SimAgent? best = null;
        foreach (var agent in run.Free)
        {
            if (agent.Snapshot.Serves(conversation.Channel)
                && (best is null || (agent.LastAssignedAt ?? DateTimeOffset.MinValue, agent.Index).CompareTo((best.LastAssignedAt ?? DateTimeOffset.MinValue, best.Index)) < 0))
            {
                best = agent;
            }
        }
        return best is null ? SimDecision.Queue : new SimDecision(best, RoutingReasons.Fallback);
    }
}

/// <summary>
/// The customer's last agent when available with a free slot on the channel (no hold, no owners), otherwise the live
/// service's fallback ranking: what most platforms call a sticky agent.
/// </summary>
internal sealed class LastAgentPolicy(string label) : SimPolicy(label)
{
    public override SimDecision Route(SimRun run, SimConversation conversation, bool holdAllowed)
    {
        if (run.LastAgent(conversation.Customer) is { } last && last.CanTakeMore && last.Snapshot.Serves(conversation.Channel))
        {
            return new SimDecision(last, RoutingReasons.PreferredHistory);
        }
        return RoutingPolicy.RankFallback(new Need(conversation.Channel), run.FallbackPool(conversation.Channel), NoOne).FirstOrDefault() is { } best
            ? new SimDecision(run.Agent(best.Id), RoutingReasons.Fallback)
            : SimDecision.Queue;
    }
}
