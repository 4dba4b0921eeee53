using System.Diagnostics;
using Routing.Observability;
using Microsoft.Extensions.Options;
using Routing.Contracts;
using Routing.Database;
using Routing.Policy;

namespace Routing.Assignment;

/// <summary>
/// Chooses the agent for a conversation inside one transaction: asks <see cref="RoutingPolicy"/> what should happen
/// given a fresh snapshot (rules 2 to 4), then makes it so with guarded updates, and has the decision written.
/// The caller holds the conversation's row lock.
/// </summary>
internal sealed class AgentChooser(IOptions<RoutingOptions> options, DecisionWriter decisions)
{
    private const int MaxAttempts = 5;

    private RoutingOptions Options => options.Value;

    /// <summary>
    /// Routes conversations a batch of inbound messages started, in the given order: the customers' preferred agents
    /// are read for the whole batch in one round trip.
    /// </summary>
    /// <param name="traces">The trace of the message that started each conversation: its decision is a span there.</param>
    public async Task<IReadOnlyDictionary<Guid, RouteOutcome>> RouteNewAsync(RoutingTransaction tx, IReadOnlyList<ConversationRow> started, CancellationToken ct,
        IReadOnlyDictionary<Guid, ActivityContext>? traces = null)
    {
        var outcomes = new Dictionary<Guid, RouteOutcome>();
        if (started.Count == 0)
        {
            return outcomes;
        }
        var sources = await AgentStore.PreferredSourcesAsync(tx, started.Select(c => c.CustomerId).ToArray(), HistorySince(tx), ct);
        foreach (var conversation in started)
        {
            using var span = RoutingTracing.Decision(RoutingTriggers.NewConversation, conversation.Id, traces?.GetValueOrDefault(conversation.Id) ?? default);
            var outcome = outcomes[conversation.Id] = await RouteAsync(tx, conversation, RoutingTriggers.NewConversation, ct, sources[conversation.CustomerId]);
            span.Decided(outcome.Status, outcome.Reason, outcome.AgentId, outcome.DecisionId);
        }
        return outcomes;
    }

    /// <summary>
    /// Routes the conversation; <paramref name="sources"/>, when read for a batch, save the first attempt a round trip.
    /// <paramref name="previousAgentId"/>, for a conversation its customer came back to, is the agent who had it: first choice.
    /// <paramref name="transfer"/>, for a conversation moved to a team, goes to the agent who takes it.
    /// </summary>
    public async Task<RouteOutcome> RouteAsync(RoutingTransaction tx, ConversationRow conversation, string trigger, CancellationToken ct,
        PreferredSources? sources = null, string? previousAgentId = null, TransferContext? transfer = null)
    {
        var excluded = conversation.ExcludedAt(tx.Now);
        var need = NeedOf(tx, conversation);
        // One hold per wait: a conversation whose hold ended waits in the queue; a release starts a new wait (and clears it).
        var holdAllowed = conversation.HoldUntil is null;
        IReadOnlyList<CandidateVerdict> preferredVerdicts = [];
        IReadOnlyList<string> preferredIds = [];

        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var (owners, history, followUps) = attempt == 0 && sources is not null ? sources
                : (await AgentStore.PreferredSourcesAsync(tx, [conversation.CustomerId], HistorySince(tx), ct))[conversation.CustomerId];
            var previous = previousAgentId is null ? null
                : owners.Concat(history.Select(h => h.Agent)).FirstOrDefault(a => a.Id == previousAgentId)
                  ?? (await AgentStore.GetAsync(tx, previousAgentId, ct))?.ToSnapshot();
            var preferred = RoutingPolicy.PreferredSet(owners, history, tx.Now, Options.HistoryLookback, previous, followUps);
            preferredIds = preferred.Select(c => c.Agent.Id).ToList();
            var outcome = RoutingPolicy.EvaluatePreferred(
                need, preferred, excluded, holdAllowed, Options.HoldWaitFor(conversation.Channel, conversation.Visibility), tx.Now);
            preferredVerdicts = outcome.Verdicts;

            switch (outcome)
            {
                case PreferredOutcome.Assign assign:
                    var assignment = await decisions.TryAssignAsync(tx, conversation, assign.Candidate.Agent.Id, ct);
                    if (assignment is null)
                    {
                        continue; // lost a race for the slot: look again at a fresh snapshot
                    }
                    var reason = assign.Candidate.Source switch
                    {
                        CandidateSources.Previous => RoutingReasons.PreviousAgent,
                        CandidateSources.FollowUp => RoutingReasons.FollowUpAgent,
                        CandidateSources.Owner => RoutingReasons.PreferredOwner,
                        _ => RoutingReasons.PreferredHistory,
                    };
                    return decisions.Assigned(tx, conversation, assignment, trigger, reason, outcome.Verdicts, preferred.Count, preferredIds, transfer);

                case PreferredOutcome.Hold hold:
                    return await decisions.HeldAsync(tx, conversation, hold, trigger, preferred.Count, preferredIds, ct);
            }
            break;
        }

        // Rule 4: fall back to the least loaded, longest idle available agent.
        var verdicts = preferredVerdicts.ToList();
        var attempted = await AssignmentStore.TryAssignBestAsync(tx, conversation, need, excluded.ToArray(), Options.FallbackPoolSize,
            Options.ReceiptCandidateLimit, decisions.OfferExpiresAt(tx), DecisionWriter.RecentMessageLimit, ct);
        var chosen = attempted.Assignment;
        var ranked = RoutingPolicy.RankFallback(need, attempted.Pool, excluded);
        // Every eligible agent was being assigned by other transactions: wait for them in ranking order
        // rather than queue a conversation while agents have room.
        foreach (var agent in chosen is null ? ranked : [])
        {
            chosen = await decisions.TryAssignAsync(tx, conversation, agent.Id, ct);
            if (chosen is not null)
            {
                break;
            }
        }
        var considered = preferredIds.Count + ranked.Count + attempted.Ineligible.Count;
        if (chosen is not null)
        {
            // Agents ranked above the chosen one were taken by concurrent transactions at that instant.
            var chosenId = chosen.Agent.Id;
            foreach (var agent in ranked.TakeWhile(a => a.Id != chosenId).Take(Options.ReceiptCandidateLimit))
            {
                verdicts.Add(new CandidateVerdict(agent.Id, CandidateSources.Pool, "being assigned another conversation at that instant"));
            }
            verdicts.Add(new CandidateVerdict(chosenId, CandidateSources.Pool, FallbackChosenVerdict(ranked.FirstOrDefault(a => a.Id == chosenId) ?? chosen.Agent), Chosen: true));
            verdicts.AddRange(ranked.SkipWhile(a => a.Id != chosenId).Skip(1).Take(Options.ReceiptCandidateLimit)
                .Select(a => new CandidateVerdict(a.Id, CandidateSources.Pool, $"ranked lower: {a.OpenCount}/{a.Capacity} open, {Idle(a)}")));
            AddIneligible(verdicts, attempted.Ineligible, need, excluded);
            return decisions.Assigned(tx, conversation, chosen, trigger, RoutingReasons.Fallback, verdicts, considered, preferredIds, transfer);
        }

        AddIneligible(verdicts, attempted.Ineligible, need, excluded);
        return await decisions.QueuedAsync(tx, conversation, trigger, verdicts, considered, preferredIds, ct, need,
            RoutingPolicy.NextRelaxation(conversation.Language, conversation.Skills, WaitingSince(conversation), tx.Now,
                Options.Requirements.LanguageRelaxAfter, Options.Requirements.SkillRelaxAfter),
            OverflowRuleOf(conversation) is { } rule ? WaitingSince(conversation) + rule.After : null);
    }

    /// <summary>Who serves the channel but could not take it (away, full, offline, declined), after the preferred set's verdicts.</summary>
    private static void AddIneligible(List<CandidateVerdict> verdicts, IReadOnlyList<AgentSnapshot> ineligible, Need need, IReadOnlySet<string> excluded)
    {
        var listed = verdicts.Select(v => v.AgentId).ToHashSet(StringComparer.Ordinal);
        verdicts.AddRange(ineligible.Where(a => !listed.Contains(a.Id))
            .Select(a => new CandidateVerdict(a.Id, CandidateSources.Pool, RoutingPolicy.Verdict(a, need, excluded) ?? "taken at that instant")));
    }

    /// <summary>The queue time limit that applies to the conversation, unless it overflowed already in this wait.</summary>
    public OverflowRule? OverflowRuleOf(ConversationRow conversation) =>
        conversation.OverflowedAt is { } at && at >= (conversation.WaitingSince ?? conversation.CreatedAt) ? null
        : Options.Overflow.GetValueOrDefault(conversation.Team ?? "default");

    /// <summary>What the conversation needs of an agent now: its requirements, those not relaxed yet.</summary>
    public Need NeedOf(RoutingTransaction tx, ConversationRow conversation) =>
        RoutingPolicy.NeedAt(conversation.Channel, conversation.Team, conversation.Language, conversation.Skills, WaitingSince(conversation), tx.Now,
            Options.Requirements.LanguageRelaxAfter, Options.Requirements.SkillRelaxAfter);

    private static DateTimeOffset WaitingSince(ConversationRow conversation) =>
        AgentRow.Utc(conversation.WaitingSince ?? conversation.CreatedAt);

    /// <summary>Agents who handled the customer since then are in the preferred set.</summary>
    private DateTimeOffset HistorySince(RoutingTransaction tx) => tx.Now - Options.HistoryLookback;

    private static string FallbackChosenVerdict(AgentSnapshot agent) =>
        $"chosen: least loaded ({agent.OpenCount}/{agent.Capacity} open), {Idle(agent)}";

    private static string Idle(AgentSnapshot agent) =>
        agent.LastAssignedAt is { } at ? $"last assigned {at.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC" : "never assigned";
}
