using Microsoft.Extensions.Options;
using Routing.Agents;
using Routing.Contracts;
using Routing.Database;
using Routing.Identity;
using Routing.Observability;
using Routing.Policy;
using Routing.Timers;

namespace Routing.Conversations;

/// <summary>
/// Applies the routing policy inside one transaction: asks <see cref="RoutingPolicy"/> what should
/// happen given a fresh snapshot, then makes it so with guarded updates, writes the receipt and
/// records the events. The caller holds the conversation's row lock.
/// </summary>
internal sealed class ConversationRouter(IOptions<RoutingOptions> options, RoutingMetrics metrics)
{
    private const int MaxAttempts = 5;
    private const int StoredCandidateLimit = 100;
    private const int RecentMessageLimit = 20;

    private RoutingOptions Options => options.Value;

    /// <summary>Routes the conversation; <paramref name="sources"/>, when the caller read them for a batch, save the first attempt a round trip.</summary>
    public async Task<RouteOutcome> RouteAsync(RoutingTransaction tx, ConversationRow conversation, string trigger, CancellationToken ct, PreferredSources? sources = null)
    {
        var excluded = conversation.ExcludedAgents.ToHashSet(StringComparer.Ordinal);
        var holdAllowed = conversation.HoldUntil is null;
        IReadOnlyList<CandidateVerdict> preferredVerdicts = [];
        var preferredCount = 0;

        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var (owners, history) = attempt == 0 && sources is not null ? sources
                : (await AgentStore.PreferredSourcesAsync(tx, [conversation.CustomerId], HistorySince(tx), ct))[conversation.CustomerId];
            var preferred = RoutingPolicy.PreferredSet(owners, history, tx.Now, Options.HistoryLookback);
            preferredCount = preferred.Count;
            var outcome = RoutingPolicy.EvaluatePreferred(
                conversation.Channel, preferred, excluded, holdAllowed, Options.HoldWaitFor(conversation.Channel), tx.Now);
            preferredVerdicts = outcome.Verdicts;

            switch (outcome)
            {
                case PreferredOutcome.Assign assign:
                    var assignment = await AssignmentStore.TryAssignAsync(tx, conversation, assign.Candidate.Agent.Id, OfferExpiresAt(tx), RecentMessageLimit, ct);
                    if (assignment is null)
                    {
                        continue; // lost a race for the slot: look again at a fresh snapshot
                    }
                    var reason = assign.Candidate.Source == CandidateSources.Owner ? RoutingReasons.PreferredOwner : RoutingReasons.PreferredHistory;
                    return Assigned(tx, conversation, assignment, trigger, reason, outcome.Verdicts, preferred.Count, preferredSetSize: preferred.Count);

                case PreferredOutcome.Hold hold:
                    return await HoldAsync(tx, conversation, hold, trigger, preferred.Count, ct);
            }
            break;
        }

        // Rule 4: fall back to the least loaded, longest idle available agent.
        var verdicts = preferredVerdicts.ToList();
        var (pool, chosen) = await AssignmentStore.TryAssignBestAsync(tx, conversation, excluded.ToArray(), Options.FallbackPoolSize, OfferExpiresAt(tx), RecentMessageLimit, ct);
        var ranked = RoutingPolicy.RankFallback(conversation.Channel, pool, excluded);
        // Every eligible agent was being assigned by other transactions: wait for them in ranking order
        // rather than queue a conversation while agents have room.
        foreach (var agent in chosen is null ? ranked : [])
        {
            chosen = await AssignmentStore.TryAssignAsync(tx, conversation, agent.Id, OfferExpiresAt(tx), RecentMessageLimit, ct);
            if (chosen is not null)
            {
                break;
            }
        }
        var considered = preferredCount + ranked.Count;
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
            return Assigned(tx, conversation, chosen, trigger, RoutingReasons.Fallback, verdicts, considered, preferredCount);
        }

        return await QueueAsync(tx, conversation, trigger, verdicts, considered, preferredCount, ct);
    }

    /// <summary>Agents who handled the customer since then are in the preferred set.</summary>
    public DateTimeOffset HistorySince(RoutingTransaction tx) => tx.Now - Options.HistoryLookback;

    /// <summary>Fills the agent's free slots: first conversations held for the agent, then the oldest waiting ones it serves.</summary>
    public async Task<int> DrainAsync(RoutingTransaction tx, string agentId, CancellationToken ct)
    {
        var assigned = 0;
        for (var i = 0; i < 1000; i++)
        {
            var agent = await AgentStore.GetAsync(tx, agentId, ct);
            if (agent is null || agent.Presence != AgentPresences.Available || agent.OpenCount >= agent.Capacity)
            {
                break;
            }
            var next = await ConversationStore.NextForAgentAsync(tx, agentId, agent.Channels, ct);
            if (next is null)
            {
                break;
            }
            var assignment = await AssignmentStore.TryAssignAsync(tx, next, agentId, OfferExpiresAt(tx), RecentMessageLimit, ct);
            if (assignment is null)
            {
                break;
            }
            var wasHeld = next.Status == ConversationStatus.Held;
            var verdict = new CandidateVerdict(agentId, wasHeld ? CandidateSources.Preferred : CandidateSources.Pool,
                $"chosen: freed a slot ({assignment.Agent.OpenCount - 1}/{assignment.Agent.Capacity} open before)", Chosen: true);
            Assigned(tx, next, assignment, RoutingTriggers.SlotFreed, wasHeld ? RoutingReasons.HeldForAgent : RoutingReasons.Queue, [verdict], 1, 0);
            assigned++;
        }
        return assigned;
    }

    /// <summary>Takes the conversation from its agent and routes it again. With exclude, that agent is never offered it again.</summary>
    public async Task<RouteOutcome> ReleaseAsync(RoutingTransaction tx, ConversationRow conversation, string reason, bool exclude, CancellationToken ct)
    {
        var agentId = conversation.AgentId ?? throw new InvalidOperationException("Only an assigned conversation can be released.");
        await AgentStore.ReleaseSlotAsync(tx, agentId, ct);
        await ConversationStore.MarkReleasedAsync(tx, conversation.Id, exclude ? agentId : null, ct);
        await TimerStore.CancelForConversationAsync(tx, conversation.Id, ct, TimerKinds.Offer);
        var decisionId = tx.NewId();
        tx.RecordDecision(decisionId, conversation.Id, reason, RoutingOutcomes.Released, reason, agentId,
            [new CandidateVerdict(agentId, CandidateSources.Assigned, ReleaseVerdict(reason))], 1);
        tx.Publish(new ConversationReleased
        {
            ConversationId = conversation.Id,
            CustomerId = conversation.CustomerId,
            AgentId = agentId,
            Reason = reason,
            DecisionId = decisionId,
            ReleasedAt = tx.Now,
        });
        tx.AfterCommit(() => metrics.Decision(reason, RoutingOutcomes.Released, reason, conversation.Channel));

        var reloaded = await ConversationStore.GetAsync(tx, conversation.Id, ct) ?? throw new InvalidOperationException("Conversation vanished.");
        var outcome = await RouteAsync(tx, reloaded, reason, ct);
        if (exclude)
        {
            await DrainAsync(tx, agentId, ct);
        }
        return outcome;
    }

    /// <summary>Closes the conversation; its agent's freed slot is filled at once. Closing a closed conversation changes nothing.</summary>
    public async Task<bool> CloseAsync(RoutingTransaction tx, ConversationRow conversation, string closedBy, string? reason, CancellationToken ct)
    {
        if (conversation.Status == ConversationStatus.Closed)
        {
            return false;
        }
        await ConversationStore.MarkClosedAsync(tx, conversation.Id, closedBy, reason, ct);
        await TimerStore.CancelForConversationAsync(tx, conversation.Id, ct);
        tx.RecordDecision(tx.NewId(), conversation.Id, RoutingTriggers.Closed, RoutingOutcomes.Closed, reason ?? RoutingOutcomes.Closed, conversation.AgentId, [], 0);
        tx.Publish(new ConversationClosed
        {
            ConversationId = conversation.Id,
            CustomerId = conversation.CustomerId,
            AgentId = conversation.AgentId,
            Channel = conversation.Channel,
            ClosedBy = closedBy,
            Reason = reason,
            ClosedAt = tx.Now,
        });
        if (conversation.AgentId is { } agentId)
        {
            await AgentStore.ReleaseSlotAsync(tx, agentId, ct);
            if (conversation.AcceptedAt is not null)
            {
                await AgentStore.RecordHistoryAsync(tx, conversation.CustomerId, agentId, ct);
            }
            await DrainAsync(tx, agentId, ct);
        }
        return true;
    }

    private DateTimeOffset OfferExpiresAt(RoutingTransaction tx) => tx.Now + Options.OfferTimeout;

    /// <summary>Records the receipt and the event of an assignment the store made.</summary>
    private RouteOutcome Assigned(RoutingTransaction tx, ConversationRow conversation, Assignment assignment, string trigger, string reason,
        IReadOnlyList<CandidateVerdict> verdicts, int considered, int preferredSetSize)
    {
        var (agent, context) = assignment;
        var offerExpiresAt = agent.RequiresAccept ? OfferExpiresAt(tx) : (DateTimeOffset?)null;
        var decisionId = tx.NewId();
        tx.RecordDecision(decisionId, conversation.Id, trigger, RoutingOutcomes.Assigned, reason, agent.Id, verdicts.Take(StoredCandidateLimit).ToList(), considered);
        tx.Publish(new ConversationAssigned
        {
            ConversationId = conversation.Id,
            CustomerId = conversation.CustomerId,
            AgentId = agent.Id,
            Channel = conversation.Channel,
            ChannelAccount = conversation.ChannelAccount,
            CustomerDisplayName = context.CustomerName,
            CustomerAddresses = context.Identities.Select(i => new CustomerAddress { Kind = i.Kind, Value = i.Value, DisplayName = i.DisplayName }).ToList(),
            RequiresAccept = offerExpiresAt is not null,
            OfferExpiresAt = offerExpiresAt,
            Receipt = Summary(decisionId, trigger, RoutingOutcomes.Assigned, reason, verdicts, considered),
            RecentMessages = context.RecentMessages,
            PreferredAgents = context.PreferredAgents,
            RelationshipHistory = context.History,
            EarlierMessages = context.EarlierMessages,
            AssignedAt = tx.Now,
        });

        var waitedSince = conversation.WaitingSince is { } w ? AgentRow.Utc(w) : AgentRow.Utc(conversation.CreatedAt);
        var now = tx.Now;
        tx.AfterCommit(() =>
        {
            metrics.Decision(trigger, RoutingOutcomes.Assigned, reason, conversation.Channel);
            metrics.Assigned(conversation.Channel, reason, now - waitedSince);
            if (trigger == RoutingTriggers.NewConversation && preferredSetSize > 0)
            {
                metrics.PreferredSet(conversation.Channel, reason is RoutingReasons.PreferredOwner or RoutingReasons.PreferredHistory);
            }
        });
        return new RouteOutcome(ConversationStatus.Open, agent.Id, decisionId, reason);
    }

    private async Task<RouteOutcome> HoldAsync(RoutingTransaction tx, ConversationRow conversation, PreferredOutcome.Hold hold, string trigger, int considered, CancellationToken ct)
    {
        await ConversationStore.MarkHeldAsync(tx, conversation.Id, hold.HeldFor.ToArray(), hold.Until, ct);
        await TimerStore.ScheduleForConversationAsync(tx, TimerKinds.Hold, conversation.Id, hold.Until, ct);
        var decisionId = tx.NewId();
        const string reason = RoutingReasons.PreferredBusy;
        tx.RecordDecision(decisionId, conversation.Id, trigger, RoutingOutcomes.Held, reason, null, hold.Verdicts.Take(StoredCandidateLimit).ToList(), considered);
        tx.Publish(new ConversationHeld
        {
            ConversationId = conversation.Id,
            CustomerId = conversation.CustomerId,
            Channel = conversation.Channel,
            HeldFor = hold.HeldFor,
            HoldUntil = hold.Until,
            Reason = reason,
            DecisionId = decisionId,
            HeldAt = tx.Now,
        });
        tx.AfterCommit(() => metrics.Decision(trigger, RoutingOutcomes.Held, reason, conversation.Channel));
        return new RouteOutcome(ConversationStatus.Held, null, decisionId, reason);
    }

    private async Task<RouteOutcome> QueueAsync(RoutingTransaction tx, ConversationRow conversation, string trigger,
        List<CandidateVerdict> verdicts, int considered, int preferredSetSize, CancellationToken ct)
    {
        await ConversationStore.MarkQueuedAsync(tx, conversation.Id, ct);
        if (conversation.HoldUntil is not null)
        {
            await TimerStore.CancelForConversationAsync(tx, conversation.Id, ct, TimerKinds.Hold);
        }
        var decisionId = tx.NewId();
        const string reason = RoutingReasons.NoAgentAvailable;
        tx.RecordDecision(decisionId, conversation.Id, trigger, RoutingOutcomes.Queued, reason, null, verdicts.Take(StoredCandidateLimit).ToList(), considered);
        tx.Publish(new ConversationQueued
        {
            ConversationId = conversation.Id,
            CustomerId = conversation.CustomerId,
            Channel = conversation.Channel,
            Priority = conversation.Priority,
            Reason = $"no available agent serving {conversation.Channel} has a free slot",
            DecisionId = decisionId,
            QueuedAt = tx.Now,
        });
        tx.AfterCommit(() =>
        {
            metrics.Decision(trigger, RoutingOutcomes.Queued, reason, conversation.Channel);
            if (trigger == RoutingTriggers.NewConversation && preferredSetSize > 0)
            {
                metrics.PreferredSet(conversation.Channel, hit: false);
            }
        });
        return new RouteOutcome(ConversationStatus.Queued, null, decisionId, reason);
    }

    private RoutingReceiptSummary Summary(Guid decisionId, string trigger, string outcome, string reason, IReadOnlyList<CandidateVerdict> verdicts, int considered) => new()
    {
        DecisionId = decisionId,
        Trigger = trigger,
        Outcome = outcome,
        Reason = reason,
        Candidates = verdicts.Take(Options.ReceiptCandidateLimit)
            .Select(v => new CandidateSummary { AgentId = v.AgentId, Source = v.Source, Verdict = v.Verdict }).ToList(),
        CandidatesConsidered = considered,
    };

    private static string FallbackChosenVerdict(AgentSnapshot agent) =>
        $"chosen: least loaded ({agent.OpenCount}/{agent.Capacity} open), {Idle(agent)}";

    private static string Idle(AgentSnapshot agent) =>
        agent.LastAssignedAt is { } at ? $"last assigned {at.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC" : "never assigned";

    private static string ReleaseVerdict(string reason) => reason switch
    {
        RoutingTriggers.OfflineGrace => "offline longer than the grace period",
        RoutingTriggers.OfferDeclined => "declined the offer",
        RoutingTriggers.OfferExpired => "let the offer expire",
        _ => reason,
    };
}
