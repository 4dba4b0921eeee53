using Routing.Contracts;
using System.Globalization;

namespace Routing.Policy;

/// <summary>
/// The routing policy of DESIGN.md as pure functions of a snapshot and an instant. The stores fetch
/// the snapshot and apply the outcome with guarded updates; when a guarded update loses a race
/// they fetch a new snapshot and ask again.
/// </summary>
internal static class RoutingPolicy
{
    /// <summary>
    /// Owners in their order, then agents who handled the customer within the lookback, most recent first; a conversation
    /// reopened because its customer returned puts the agent who had it (<paramref name="previous"/>) before them all.
    /// </summary>
    public static IReadOnlyList<Candidate> PreferredSet(
        IEnumerable<AgentSnapshot> ownersInOrder,
        IEnumerable<(AgentSnapshot Agent, DateTimeOffset LastHandledAt)> history,
        DateTimeOffset now,
        TimeSpan lookback,
        AgentSnapshot? previous = null,
        IEnumerable<AgentSnapshot>? followUps = null)
    {
        var set = new List<Candidate>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        if (previous is not null && seen.Add(previous.Id))
        {
            set.Add(new Candidate(previous, CandidateSources.Previous));
        }
        // the agents whose follow-up the customer may be answering, latest first
        foreach (var agent in followUps ?? [])
        {
            if (seen.Add(agent.Id))
            {
                set.Add(new Candidate(agent, CandidateSources.FollowUp));
            }
        }
        foreach (var owner in ownersInOrder)
        {
            if (seen.Add(owner.Id))
            {
                set.Add(new Candidate(owner, CandidateSources.Owner));
            }
        }
        foreach (var (agent, at) in history
                     .Where(h => h.LastHandledAt >= now - lookback)
                     .OrderByDescending(h => h.LastHandledAt)
                     .ThenBy(h => h.Agent.Id, StringComparer.Ordinal))
        {
            if (seen.Add(agent.Id))
            {
                set.Add(new Candidate(agent, CandidateSources.History, at));
            }
        }
        return set;
    }

    /// <summary>
    /// Rules 2 and 3: the first preferred agent who is available, serves the channel and has a free
    /// slot takes it. Otherwise, if any of them is online but busy or away (and the channel's wait
    /// is above zero and this conversation has not been held before), hold for them. Otherwise fall back.
    /// A conversation with requirements (<see cref="Need"/>: a team it was transferred to, a language, skills) is taken only by
    /// agents who meet them, preferred ones first; the others are not held for.
    /// </summary>
    public static PreferredOutcome EvaluatePreferred(
        Need need,
        IReadOnlyList<Candidate> preferred,
        IReadOnlySet<string> excluded,
        bool holdAllowed,
        TimeSpan holdWait,
        DateTimeOffset now)
    {
        var verdicts = new List<CandidateVerdict>(preferred.Count);
        var holdFor = new List<string>();
        foreach (var candidate in preferred)
        {
            var agent = candidate.Agent;
            var verdict = Verdict(agent, need, excluded);
            if (verdict is null)
            {
                verdicts.Add(new CandidateVerdict(agent.Id, candidate.Source, ChosenVerdict(agent), Chosen: true));
                return new PreferredOutcome.Assign(candidate, verdicts);
            }
            if (!excluded.Contains(agent.Id) && Meets(agent, need) is null && agent.IsOnline && agent.Capacity > 0)
            {
                // never hold for an agent whose shift ends before the hold would
                if (agent.Hours?.ClosesAt(now) is var closes && agent.Hours is not null && (closes is null || closes < now + holdWait))
                {
                    verdict += closes is { } at ? $"; shift ends {Clock(at)}, before the hold would" : "; off shift";
                }
                else
                {
                    holdFor.Add(agent.Id);
                }
            }
            verdicts.Add(new CandidateVerdict(agent.Id, candidate.Source, verdict));
        }

        if (holdFor.Count > 0 && holdAllowed && holdWait > TimeSpan.Zero)
        {
            return new PreferredOutcome.Hold(holdFor, now + holdWait, verdicts);
        }
        return new PreferredOutcome.Fallback(verdicts);
    }

    /// <summary>Rule 4: available, serves the channel, has a free slot; least open first, then longest since last assignment, then id.</summary>
    public static IReadOnlyList<AgentSnapshot> RankFallback(Need need, IEnumerable<AgentSnapshot> pool, IReadOnlySet<string> excluded) =>
        pool.Where(a => Verdict(a, need, excluded) is null)
            .OrderBy(a => a.OpenCount)
            .ThenBy(a => a.LastAssignedAt ?? DateTimeOffset.MinValue)
            .ThenBy(a => a.Id, StringComparer.Ordinal)
            .ToList();

    /// <summary>Rule 1: a conversation's agent who has been offline for longer than the grace period loses it.</summary>
    public static bool ShouldRelease(AgentSnapshot agent, DateTimeOffset now, TimeSpan grace) =>
        agent.Presence == AgentPresences.Offline && now - agent.PresenceChangedAt >= grace;

    /// <summary>Why an agent cannot take a conversation on this channel now, or null when it can.</summary>
    public static string? Verdict(AgentSnapshot agent, Need need, IReadOnlySet<string> excluded)
    {
        if (excluded.Contains(agent.Id))
        {
            return "passed it on: declined, let the offer expire or transferred it";
        }
        if (Meets(agent, need) is { } unmet)
        {
            return unmet;
        }
        if (agent.Presence == AgentPresences.Offline)
        {
            return $"offline since {Clock(agent.PresenceChangedAt)}";
        }
        if (agent.Presence == AgentPresences.Away)
        {
            return $"away since {Clock(agent.PresenceChangedAt)}";
        }
        if (!agent.HasFreeSlot)
        {
            return $"{agent.OpenCount}/{agent.Capacity} open";
        }
        return null;
    }

    /// <summary>
    /// What a conversation needs at <paramref name="now"/>: its language until it has waited <paramref name="languageRelax"/>, its
    /// skills until <paramref name="skillRelax"/> (then any agent serving the channel may take it, as TaskRouter's and Genesys'
    /// relaxation steps do); a team is never relaxed, a transfer named it.
    /// </summary>
    public static Need NeedAt(string channel, string? team, string? language, IReadOnlyList<string> skills, DateTimeOffset waitingSince,
        DateTimeOffset now, TimeSpan languageRelax, TimeSpan skillRelax) =>
        new(channel, team, language is not null && now - waitingSince < languageRelax ? language : null,
            skills.Count > 0 && now - waitingSince < skillRelax ? skills : null);

    /// <summary>When the conversation's need next relaxes, or null when nothing is left to relax.</summary>
    public static DateTimeOffset? NextRelaxation(string? language, IReadOnlyList<string> skills, DateTimeOffset waitingSince, DateTimeOffset now,
        TimeSpan languageRelax, TimeSpan skillRelax) =>
        new[] { language is null ? (DateTimeOffset?)null : waitingSince + languageRelax, skills.Count == 0 ? null : waitingSince + skillRelax }
            .Where(at => at > now).Min();

    /// <summary>Why the agent does not meet the need whatever their presence and load (channel, team, language, skills), or null.</summary>
    public static string? Meets(AgentSnapshot agent, Need need)
    {
        if (need.Team is { } team && !agent.InTeam(team))
        {
            return $"not in team {team}";
        }
        if (!agent.Serves(need.Channel))
        {
            return $"does not serve {need.Channel}";
        }
        if (need.Language is { } language && !agent.Speaks(language))
        {
            return $"does not speak {language}";
        }
        var missing = need.RequiredSkills.Where(s => !agent.Skills.Contains(s, StringComparer.Ordinal)).ToList();
        return missing.Count > 0 ? $"lacks {string.Join(" and ", missing)}" : null;
    }

    public static string ChosenVerdict(AgentSnapshot agent) => $"chosen: available, {agent.OpenCount}/{agent.Capacity} open";

    private static string Clock(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
}
