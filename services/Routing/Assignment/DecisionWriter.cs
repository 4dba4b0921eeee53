using Microsoft.Extensions.Options;
using Routing.Contracts;
using Routing.Database;
using Routing.Observability;
using Routing.Policy;

namespace Routing.Assignment;

/// <summary>
/// Writes what a decision did: the conversation's new state where the store has not already set it, the receipt
/// (a verdict per candidate), the event the other services act on, and the metrics once committed.
/// </summary>
internal sealed class DecisionWriter(IOptions<RoutingOptions> options, RoutingMetrics metrics)
{
    private const int StoredCandidateLimit = 100;

    /// <summary>How many of the conversation's latest messages an assignment carries to the agent.</summary>
    public const int RecentMessageLimit = 20;

    private RoutingOptions Options => options.Value;

    /// <summary>When an offer made now ends, if the agent must accept.</summary>
    public DateTimeOffset OfferExpiresAt(RoutingTransaction tx) => tx.Now + Options.OfferTimeout;

    /// <summary>Assigns the conversation to this agent if the agent still has room (see <see cref="AssignmentStore.TryAssignAsync"/>).</summary>
    public Task<AssignedAgent?> TryAssignAsync(RoutingTransaction tx, ConversationRow conversation, string agentId, CancellationToken ct) =>
        AssignmentStore.TryAssignAsync(tx, conversation, agentId, OfferExpiresAt(tx), RecentMessageLimit, ct);

    /// <summary>Records the receipt and the event of an assignment the store made.</summary>
    /// <param name="preferredSet">The customer's preferred agents as routed now; with those the conversation waited for, the
    /// reference of the hit rate, counted at the conversation's first assignment whatever its trigger.</param>
    /// <param name="transfer">Who moved it here and what they wrote, for a transfer.</param>
    /// <param name="accepted">The agent already agreed (a warm transfer they accepted): never an offer.</param>
    public RouteOutcome Assigned(RoutingTransaction tx, ConversationRow conversation, AssignedAgent assignment, string trigger, string reason,
        IReadOnlyList<CandidateVerdict> verdicts, int considered, IReadOnlyCollection<string> preferredSet, TransferContext? transfer = null,
        bool accepted = false)
    {
        var (agent, context) = assignment;
        var offerExpiresAt = agent.RequiresAccept && !accepted ? OfferExpiresAt(tx) : (DateTimeOffset?)null;
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
            CustomerNotes = context.Notes,
            CustomerTags = context.Tags,
            TransferredBy = transfer?.RequestedBy,
            TransferNote = transfer?.Note,
            AssignedAt = tx.Now,
        });

        var waitedSince = conversation.WaitingSince is { } w ? AgentRow.Utc(w) : AgentRow.Utc(conversation.CreatedAt);
        var now = tx.Now;
        var first = conversation.FirstAssignedAt is null;
        var hadPreferred = preferredSet.Count > 0 || conversation.PreferredSet.Length > 0;
        var hit = preferredSet.Contains(agent.Id) || conversation.PreferredSet.Contains(agent.Id, StringComparer.Ordinal);
        if (first && hadPreferred)
        {
            tx.RecordPreferredHit(conversation.Id, hit);
        }
        tx.AfterCommit(() =>
        {
            metrics.Decision(trigger, RoutingOutcomes.Assigned, reason, conversation.Channel);
            metrics.Assigned(conversation.Channel, reason, now - waitedSince);
            if (first)
            {
                metrics.FirstAssigned(conversation.Channel, conversation.Team, now - AgentRow.Utc(conversation.CreatedAt));
                if (hadPreferred)
                {
                    metrics.PreferredSet(conversation.Channel, conversation.Team, hit);
                }
            }
        });
        return new RouteOutcome(ConversationStatus.Open, agent.Id, decisionId, reason);
    }

    /// <summary>Holds the conversation for its busy preferred agents until the hold ends.</summary>
    public async Task<RouteOutcome> HeldAsync(RoutingTransaction tx, ConversationRow conversation, PreferredOutcome.Hold hold, string trigger, int considered,
        IReadOnlyList<string> preferredSet, CancellationToken ct)
    {
        await ConversationStore.MarkHeldAsync(tx, conversation.Id, hold.HeldFor.ToArray(), hold.Until, preferredSet.ToArray(), ct);
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

    /// <summary>
    /// Queues the conversation: no agent who meets its <paramref name="need"/> has room. When a requirement relaxes later
    /// (<paramref name="relaxesAt"/>), it is routed again then, with fewer requirements.
    /// </summary>
    public async Task<RouteOutcome> QueuedAsync(RoutingTransaction tx, ConversationRow conversation, string trigger,
        List<CandidateVerdict> verdicts, int considered, IReadOnlyList<string> preferredSet, CancellationToken ct, Need? need = null,
        DateTimeOffset? relaxesAt = null, DateTimeOffset? overflowsAt = null)
    {
        await ConversationStore.MarkQueuedAsync(tx, conversation.Id, preferredSet.ToArray(), ct);
        if (overflowsAt is { } overflow)
        {
            await TimerStore.ScheduleForConversationAsync(tx, TimerKinds.Overflow, conversation.Id, overflow, ct);
        }
        if (relaxesAt is { } at)
        {
            await TimerStore.ScheduleForConversationAsync(tx, TimerKinds.Relax, conversation.Id, at, ct);
        }
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
            Reason = $"no available agent ({(need ?? conversation.Channel).Describe()}) has a free slot" +
                (relaxesAt is { } relax ? $"; requirements relax at {relax.UtcDateTime:HH:mm:ss} UTC" : ""),
            DecisionId = decisionId,
            QueuedAt = tx.Now,
        });
        tx.AfterCommit(() => metrics.Decision(trigger, RoutingOutcomes.Queued, reason, conversation.Channel));
        return new RouteOutcome(ConversationStatus.Queued, null, decisionId, reason);
    }

    /// <summary>Records the receipt and the event of a conversation taken from its agent (the store already took it).</summary>
    /// <param name="detail">What the agent said (a decline's reason), kept in the receipt after the verdict.</param>
    public void Released(RoutingTransaction tx, ConversationRow conversation, string agentId, string reason, string? detail = null)
    {
        var decisionId = tx.NewId();
        var verdict = string.IsNullOrWhiteSpace(detail) ? ReleaseVerdict(reason)
            : reason == RoutingTriggers.Transferred ? detail // the transfer's own words: "transferred it to ben: …"
            : $"{ReleaseVerdict(reason)}: {Clip(detail.Trim(), 200)}";
        tx.RecordDecision(decisionId, conversation.Id, reason, RoutingOutcomes.Released, reason, agentId,
            [new CandidateVerdict(agentId, CandidateSources.Assigned, verdict)], 1);
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
    }

    /// <summary>
    /// Records the receipt and the event of a close (the store already closed it). A conversation closed before it reached any
    /// agent counts in the hit rate as a miss: the customer never met their preferred agent. One a merge absorbed is not
    /// measured: its customer's conversation goes on in the survivor's.
    /// </summary>
    /// <param name="handled">The stretch agents had it until this close (<see cref="ConversationMeasures.HandledUntilClose"/>).</param>
    public void Closed(RoutingTransaction tx, ConversationRow conversation, string closedBy, string? reason, TimeSpan? handled)
    {
        if (reason != CloseReasons.Merged)
        {
            var abandoned = ConversationMeasures.Abandoned(conversation);
            if (abandoned && conversation.PreferredSet.Length > 0)
            {
                tx.RecordPreferredHit(conversation.Id, hit: false);
            }
            var handleTime = handled is { } h ? TimeSpan.FromSeconds(conversation.HandleSeconds ?? 0) + h : (TimeSpan?)null;
            tx.AfterCommit(() =>
            {
                if (abandoned && conversation.PreferredSet.Length > 0)
                {
                    metrics.PreferredSet(conversation.Channel, conversation.Team, hit: false);
                }
                metrics.Closed(conversation.Channel, conversation.Team, abandoned, handleTime);
            });
        }
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
    }

    /// <summary>Records the receipt and the event of a warm transfer's offer (the store recorded the transfer).</summary>
    public void TransferOffered(RoutingTransaction tx, ConversationRow conversation, TransferRow transfer, string toAgentId, AssignedContext context)
    {
        var decisionId = tx.NewId();
        tx.RecordDecision(decisionId, conversation.Id, RoutingTriggers.Transferred, RoutingOutcomes.TransferOffered, "warm", toAgentId,
            [
                new CandidateVerdict(transfer.RequestedBy, CandidateSources.Assigned, TransferVerdict(transfer)),
                new CandidateVerdict(toAgentId, CandidateSources.Transfer,
                    transfer.ToTeam is { } team ? $"offered: first who can take it in team {team}" : "offered: named by the sender", Chosen: true),
            ], 2);
        tx.Publish(new ConversationTransferOffered
        {
            TransferId = transfer.Id,
            ConversationId = conversation.Id,
            CustomerId = conversation.CustomerId,
            FromAgentId = transfer.FromAgent ?? transfer.RequestedBy,
            ToAgentId = toAgentId,
            ToTeam = transfer.ToTeam,
            Channel = conversation.Channel,
            Note = transfer.Note,
            CustomerDisplayName = context.CustomerName,
            RecentMessages = context.RecentMessages,
            DecisionId = decisionId,
            ExpiresAt = tx.Now + Options.OfferTimeout,
            OfferedAt = tx.Now,
        });
        tx.AfterCommit(() => metrics.Decision(RoutingTriggers.Transferred, RoutingOutcomes.TransferOffered, "warm", conversation.Channel));
    }

    /// <summary>Records how a transfer ended; for one that did not happen (<paramref name="outcome"/> other than done), a receipt says why.</summary>
    public void TransferEnded(RoutingTransaction tx, ConversationRow conversation, TransferRow transfer, string outcome, string? reason)
    {
        Guid? decisionId = null;
        if (outcome != TransferOutcomes.Done)
        {
            decisionId = tx.NewId();
            tx.RecordDecision(decisionId.Value, conversation.Id, RoutingTriggers.Transferred, RoutingOutcomes.TransferEnded, outcome,
                transfer.OfferedTo ?? transfer.ToAgent, [new CandidateVerdict(transfer.RequestedBy, CandidateSources.Assigned,
                    $"{TransferVerdict(transfer)}; {outcome}{(reason is null ? "" : ": " + reason)}")], 1);
            tx.AfterCommit(() => metrics.Decision(RoutingTriggers.Transferred, RoutingOutcomes.TransferEnded, outcome, conversation.Channel));
        }
        tx.Publish(new ConversationTransferEnded
        {
            TransferId = transfer.Id,
            ConversationId = conversation.Id,
            RequestedBy = transfer.RequestedBy,
            FromAgentId = transfer.FromAgent,
            ToAgentId = transfer.OfferedTo ?? transfer.ToAgent,
            ToTeam = transfer.ToTeam,
            Warm = transfer.Warm,
            Outcome = outcome,
            Reason = reason,
            DecisionId = decisionId,
            EndedAt = tx.Now,
        });
    }

    /// <summary>What the sender did, in a transfer's receipt: "asked to transfer it to team billing (warm): needs a refund".</summary>
    public static string TransferVerdict(TransferRow transfer) =>
        $"transferred it to {(transfer.ToTeam is { } team ? "team " + team : transfer.ToAgent)}{(transfer.Warm ? " (warm)" : "")}" +
        (string.IsNullOrWhiteSpace(transfer.Note) ? "" : ": " + Clip(transfer.Note.Trim(), 200));

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

    private static string Clip(string text, int length) => text.Length <= length ? text : text[..length] + "…";

    private static string ReleaseVerdict(string reason) => reason switch
    {
        RoutingTriggers.OfflineGrace => "offline longer than the grace period",
        RoutingTriggers.OfferDeclined => "declined the offer",
        RoutingTriggers.OfferExpired => "let the offer expire",
        RoutingTriggers.Transferred => "transferred it",
        _ => reason,
    };
}

/// <summary>A transfer an assignment carries out: who asked (an agent or operator:name) and what they wrote for the next agent.</summary>
internal sealed record TransferContext(string RequestedBy, string? Note);
