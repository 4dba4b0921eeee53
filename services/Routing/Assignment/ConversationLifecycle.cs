using Routing.Contracts;
using Routing.Database;
using Routing.Policy;
using Microsoft.Extensions.Options;

namespace Routing.Assignment;

/// <summary>
/// What happens to conversations when an agent's slots change: a freed slot is filled at once (rule 5), a
/// conversation taken from its agent is routed again, a closed one frees its agent's slot. All inside the caller's
/// transaction, which holds the conversation's row lock.
/// </summary>
internal sealed class ConversationLifecycle(AgentChooser chooser, DecisionWriter decisions, IOptions<RoutingOptions> options)
{
    /// <summary>Who closed a conversation routing closed itself (an idle one, one a merge absorbed): ConversationClosed.ClosedBy.</summary>
    public const string ClosedByRouting = "routing";

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
            var requirements = options.Value.Requirements;
            var next = await ConversationStore.NextForAgentAsync(tx, agent, tx.Now - requirements.LanguageRelaxAfter, tx.Now - requirements.SkillRelaxAfter, ct);
            if (next is null)
            {
                break;
            }
            var assignment = await decisions.TryAssignAsync(tx, next, agentId, ct);
            if (assignment is null)
            {
                break;
            }
            var wasHeld = next.Status == ConversationStatus.Held;
            var verdict = new CandidateVerdict(agentId, wasHeld ? CandidateSources.Preferred : CandidateSources.Pool,
                $"chosen: freed a slot ({assignment.Agent.OpenCount - 1}/{assignment.Agent.Capacity} open before)", Chosen: true);
            decisions.Assigned(tx, next, assignment, RoutingTriggers.SlotFreed, wasHeld ? RoutingReasons.HeldForAgent : RoutingReasons.Queue, [verdict], 1,
                next.PreferredSet);
            assigned++;
        }
        return assigned;
    }

    /// <summary>
    /// Takes the conversation from its agent and routes it again. With exclude, that agent is passed over for it until
    /// <see cref="RoutingOptions.ExclusionTimeout"/> has passed; <paramref name="detail"/> (a decline's reason) goes in the receipt.
    /// </summary>
    public async Task<RouteOutcome> ReleaseAsync(RoutingTransaction tx, ConversationRow conversation, string reason, bool exclude, CancellationToken ct,
        string? detail = null)
    {
        var agentId = conversation.AgentId ?? throw new InvalidOperationException("Only an assigned conversation can be released.");
        await CancelTransferAsync(tx, conversation, $"the conversation left {agentId} ({reason})", ct);
        await AgentStore.ReleaseSlotAsync(tx, agentId, ct);
        await ConversationStore.MarkReleasedAsync(tx, conversation.Id, exclude ? agentId : null, tx.Now + options.Value.ExclusionTimeout, ct);
        await TimerStore.CancelForConversationAsync(tx, conversation.Id, ct, TimerKinds.Offer);
        decisions.Released(tx, conversation, agentId, reason, detail);

        var reloaded = await ConversationStore.GetAsync(tx, conversation.Id, ct) ?? throw new InvalidOperationException("Conversation vanished.");
        var outcome = await chooser.RouteAsync(tx, reloaded, reason, ct);
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
        await CancelTransferAsync(tx, conversation, "the conversation was closed", ct);
        var handled = ConversationMeasures.HandledUntilClose(conversation, reason, tx.Now);
        await ConversationStore.MarkClosedAsync(tx, conversation.Id, closedBy, reason, handled, ct);
        await TimerStore.CancelForConversationAsync(tx, conversation.Id, ct);
        decisions.Closed(tx, conversation, closedBy, reason, handled);
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

    /// <summary>
    /// A queued conversation reached its team's queue time limit (once per wait): it is for the overflow team from now on, if
    /// the rule names one, and routed again among that team, its preferred agents who are members first; if it still
    /// waits, the customer is told (the rule's auto-reply).
    /// </summary>
    public async Task OverflowAsync(RoutingTransaction tx, ConversationRow queued, CancellationToken ct)
    {
        if (queued.Status != ConversationStatus.Queued || chooser.OverflowRuleOf(queued) is not { } rule
            || tx.Now < AgentRow.Utc(queued.WaitingSince ?? queued.CreatedAt) + rule.After)
        {
            return;
        }
        await ConversationStore.MarkOverflowedAsync(tx, queued.Id, rule.ToTeam?.ToLowerInvariant() ?? queued.Team, ct);
        var moved = await ConversationStore.GetAsync(tx, queued.Id, ct) ?? throw new InvalidOperationException("Conversation vanished.");
        if (rule.ToTeam is not null && (await chooser.RouteAsync(tx, moved, RoutingTriggers.QueueOverflow, ct)).Status == ConversationStatus.Open)
        {
            return;
        }
        await AutoReplies.QueueOverflowAsync(tx, moved, rule, ct);
    }

    /// <summary>A warm transfer on offer ends when its conversation leaves the agent who offered it, or closes.</summary>
    private async Task CancelTransferAsync(RoutingTransaction tx, ConversationRow conversation, string reason, CancellationToken ct)
    {
        if (await TransferStore.OfferedAsync(tx, conversation.Id, ct) is not { } offered)
        {
            return;
        }
        await TransferStore.EndAsync(tx, offered.Id, TransferOutcomes.Cancelled, reason, ct);
        await TimerStore.CancelForConversationAsync(tx, conversation.Id, ct, TimerKinds.Transfer);
        decisions.TransferEnded(tx, conversation, offered, TransferOutcomes.Cancelled, reason);
    }

    /// <summary>
    /// A held conversation none of whose agents can still take it (all offline, no longer serving its channel, or with no
    /// capacity) stops waiting for them: routed again at once, without a new hold, rather than at the hold's end.
    /// </summary>
    public async Task<RouteOutcome> EndHoldAsync(RoutingTransaction tx, ConversationRow held, CancellationToken ct)
    {
        await TimerStore.CancelForConversationAsync(tx, held.Id, ct, TimerKinds.Hold);
        return await chooser.RouteAsync(tx, held, RoutingTriggers.HeldAgentsUnavailable, ct);
    }
}
