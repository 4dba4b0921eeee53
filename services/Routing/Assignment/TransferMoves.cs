using Microsoft.Extensions.Options;
using Routing.Contracts;
using Routing.Database;
using Routing.Policy;

namespace Routing.Assignment;

/// <summary>
/// What a transfer does to a conversation, inside the caller's transaction (which holds the conversation's lock). Cold:
/// the conversation leaves its agent at once, who is passed over for it for <see cref="RoutingOptions.ExclusionTimeout"/>,
/// and goes to the named agent, or to the team's members (the customer's preferred agents among them first; queued for
/// the team when none has room). Warm: the receiver is asked first while the sender keeps it; it moves when they accept.
/// A receiver named by the sender must be able to take it now, otherwise the transfer is refused and the conversation
/// stays where it was: a transfer never strands a conversation.
/// </summary>
internal sealed class TransferMoves(AgentChooser chooser, ConversationLifecycle lifecycle, DecisionWriter decisions, IOptions<RoutingOptions> options)
{
    /// <summary>Carries out a transfer just asked (recorded by this call, whatever its outcome).</summary>
    /// <param name="asAgent">The requester is an agent: carried out only while the conversation is theirs (the gateway's copy lags).</param>
    public async Task<TransferResult> StartAsync(RoutingTransaction tx, ConversationRow conversation, TransferRow transfer, bool asAgent, CancellationToken ct)
    {
        var (receiver, refusal) = await ReceiverAsync(tx, conversation, transfer, asAgent, ct);
        if (refusal is not null)
        {
            return await EndAsync(tx, conversation, transfer, TransferOutcomes.Refused, refusal, ct);
        }
        if (transfer.Warm)
        {
            transfer = transfer with { Status = "offered", OfferedTo = receiver!.Id, ExpiresAt = (tx.Now + options.Value.OfferTimeout).UtcDateTime };
            await TransferStore.InsertAsync(tx, transfer, ct);
            await TimerStore.ScheduleForConversationAsync(tx, TimerKinds.Transfer, conversation.Id, tx.Now + options.Value.OfferTimeout, ct);
            var context = await AgentContextQuery.LoadAsync(tx, conversation, DecisionWriter.RecentMessageLimit, ct);
            decisions.TransferOffered(tx, conversation, transfer, receiver.Id, context);
            return new TransferResult(TransferStatus.Offered, "offered", null);
        }

        transfer = transfer with { Status = TransferOutcomes.Done, EndedAt = tx.Now.UtcDateTime };
        await TransferStore.InsertAsync(tx, transfer, ct);
        await MoveAsync(tx, conversation, transfer, receiver?.Id, accepted: false, ct);
        return new TransferResult(TransferStatus.Done, TransferOutcomes.Done, null);
    }

    /// <summary>A warm transfer's offer ran out (its timer fired, in the sweeper's transaction, which holds the conversation's lock).</summary>
    public async Task ExpireAsync(RoutingTransaction tx, Guid conversationId, CancellationToken ct)
    {
        var conversation = await ConversationStore.GetAsync(tx, conversationId, ct, forUpdate: true);
        if (conversation is not null && await TransferStore.OfferedAsync(tx, conversationId, ct) is { } offered)
        {
            await AnswerAsync(tx, conversation, offered, accepted: false, reason: null, expired: true, ct);
        }
    }

    /// <summary>The receiver of a warm transfer answers (or, <paramref name="expired"/>, did not in time); the caller holds both locks.</summary>
    public async Task<TransferResult> AnswerAsync(RoutingTransaction tx, ConversationRow conversation, TransferRow transfer, bool accepted, string? reason,
        bool expired, CancellationToken ct)
    {
        var agentId = transfer.OfferedTo!;
        await TimerStore.CancelForConversationAsync(tx, conversation.Id, ct, TimerKinds.Transfer);
        if (!accepted)
        {
            var why = expired ? $"{agentId} did not answer in time"
                : string.IsNullOrWhiteSpace(reason) ? $"{agentId} declined" : $"{agentId} declined: {reason.Trim()[..Math.Min(reason.Trim().Length, 200)]}";
            return await EndAsync(tx, conversation, transfer, expired ? TransferOutcomes.Expired : TransferOutcomes.Declined, why, ct, recorded: true);
        }
        // still able to take it? (the conversation is still the sender's: a release or close would have cancelled the offer)
        var receiver = await AgentStore.GetAsync(tx, agentId, ct);
        var cannot = receiver is null ? "no longer an agent" : RoutingPolicy.Verdict(receiver.ToSnapshot(), conversation.Channel, new HashSet<string>());
        if (cannot is not null)
        {
            return await EndAsync(tx, conversation, transfer, TransferOutcomes.Refused, $"{agentId} can no longer take it: {cannot}", ct, recorded: true);
        }
        await TransferStore.EndAsync(tx, transfer.Id, TransferOutcomes.Done, null, ct);
        await MoveAsync(tx, conversation, transfer, agentId, accepted: true, ct);
        return new TransferResult(TransferStatus.Done, TransferOutcomes.Done, null);
    }

    /// <summary>Who is to receive it (for a team: its member who would be chosen now), or why the transfer cannot be done.</summary>
    private async Task<(AgentSnapshot? Receiver, string? Refusal)> ReceiverAsync(RoutingTransaction tx, ConversationRow conversation, TransferRow transfer,
        bool asAgent, CancellationToken ct)
    {
        if (conversation.Status == ConversationStatus.Closed)
        {
            return (null, "the conversation is closed");
        }
        if (asAgent && conversation.AgentId != transfer.RequestedBy)
        {
            return (null, $"the conversation is {(conversation.AgentId is { } owner ? owner + "'s" : "no agent's")}, not {transfer.RequestedBy}'s");
        }
        if (asAgent && conversation.AcceptedAt is null)
        {
            return (null, "the conversation is only offered to you: accept it first");
        }
        if (transfer.Warm && conversation.AgentId is null)
        {
            return (null, "a warm transfer needs an agent who keeps the conversation meanwhile; it has none (transfer it cold)");
        }
        if (await TransferStore.OfferedAsync(tx, conversation.Id, ct) is { } offered)
        {
            return (null, $"a warm transfer to {offered.OfferedTo} is on offer until {offered.ExpiresAt:HH:mm:ss} UTC");
        }
        if (transfer.ToAgent is { } toAgent)
        {
            if (toAgent == conversation.AgentId)
            {
                return (null, $"the conversation is already {toAgent}'s");
            }
            if (await AgentStore.GetAsync(tx, toAgent, ct) is not { } agent)
            {
                return (null, $"there is no agent {toAgent}");
            }
            // a transfer names the agent deliberately: an earlier decline does not stand in its way
            var snapshot = agent.ToSnapshot();
            return RoutingPolicy.Verdict(snapshot, conversation.Channel, new HashSet<string>()) is { } cannot
                ? (null, $"{toAgent} cannot take it now: {cannot}")
                : (snapshot, null);
        }
        var team = transfer.ToTeam!;
        if (!await TransferStore.TeamExistsAsync(tx, team, ct))
        {
            return (null, $"no agent is in team {team}");
        }
        if (!transfer.Warm)
        {
            return (null, null); // routed among the team (or queued for it) once it left its agent
        }
        // warm: ask the member who would take it now, the customer's preferred agents first
        var sources = (await AgentStore.PreferredSourcesAsync(tx, [conversation.CustomerId], tx.Now - options.Value.HistoryLookback, ct))[conversation.CustomerId];
        var passedOver = new HashSet<string>(StringComparer.Ordinal) { conversation.AgentId! };
        var preferred = RoutingPolicy.PreferredSet(sources.Owners, sources.History, tx.Now, options.Value.HistoryLookback)
            .Select(c => c.Agent).FirstOrDefault(a => RoutingPolicy.Verdict(a, new Need(conversation.Channel, team), passedOver) is null);
        var member = preferred ?? RoutingPolicy.RankFallback(new Need(conversation.Channel, team), await TeamMembersAsync(tx, team, ct), passedOver)
            .FirstOrDefault();
        return member is null ? (null, $"nobody in team {team} can take it now") : (member, null);
    }

    private static async Task<IReadOnlyList<AgentSnapshot>> TeamMembersAsync(RoutingTransaction tx, string team, CancellationToken ct) =>
        (await AgentStore.TeamAsync(tx, team, ct)).Select(a => a.ToSnapshot()).ToList();


    /// <summary>
    /// The conversation leaves its agent (if it had one), who is passed over for it for a while, and goes to the receiver;
    /// to the team's members when no agent was named. The sender's freed slot is filled.
    /// </summary>
    private async Task MoveAsync(RoutingTransaction tx, ConversationRow conversation, TransferRow transfer, string? toAgentId, bool accepted,
        CancellationToken ct)
    {
        var sender = conversation.AgentId;
        await TimerStore.CancelForConversationAsync(tx, conversation.Id, ct, TimerKinds.Offer);
        await TimerStore.CancelForConversationAsync(tx, conversation.Id, ct, TimerKinds.Hold);
        if (sender is not null)
        {
            await AgentStore.ReleaseSlotAsync(tx, sender, ct);
            await ConversationStore.MarkReleasedAsync(tx, conversation.Id, sender, tx.Now + options.Value.ExclusionTimeout, ct);
            decisions.Released(tx, conversation, sender, RoutingTriggers.Transferred, DecisionWriter.TransferVerdict(transfer));
        }
        if (transfer.ToTeam is { } team)
        {
            await TransferStore.SetTeamAsync(tx, conversation.Id, team, ct);
        }
        var moved = await ConversationStore.GetAsync(tx, conversation.Id, ct) ?? throw new InvalidOperationException("Conversation vanished.");
        var context = new TransferContext(transfer.RequestedBy, transfer.Note);

        var assignment = toAgentId is null ? null : await decisions.TryAssignAsync(tx, moved, toAgentId, ct);
        if (assignment is not null)
        {
            if (accepted && assignment.Agent.RequiresAccept)
            {
                // they accepted the transfer: no second offer to accept
                await ConversationStore.MarkAcceptedAsync(tx, moved.Id, ct);
                await TimerStore.CancelForConversationAsync(tx, moved.Id, ct, TimerKinds.Offer);
                await AgentStore.RecordHistoryAsync(tx, moved.CustomerId, toAgentId!, ct);
            }
            decisions.Assigned(tx, moved, assignment, RoutingTriggers.Transferred, RoutingReasons.Transfer,
                [
                    new CandidateVerdict(transfer.RequestedBy, CandidateSources.Assigned, DecisionWriter.TransferVerdict(transfer)),
                    new CandidateVerdict(toAgentId!, CandidateSources.Transfer,
                        accepted ? "chosen: accepted the transfer"
                            : $"chosen: named by the sender ({assignment.Agent.OpenCount - 1}/{assignment.Agent.Capacity} open before)", Chosen: true),
                ], 1, moved.PreferredSet, context, accepted);
        }
        else
        {
            // a team, or the named agent was taken at that instant: routed as any waiting conversation, among the team if one was named
            await chooser.RouteAsync(tx, moved, RoutingTriggers.Transferred, ct, transfer: context);
        }
        decisions.TransferEnded(tx, moved, transfer, TransferOutcomes.Done, null);
        if (sender is not null)
        {
            await lifecycle.DrainAsync(tx, sender, ct);
        }
    }

    /// <summary>A transfer that did not happen: recorded with its reason (the caller commits).</summary>
    private async Task<TransferResult> EndAsync(RoutingTransaction tx, ConversationRow conversation, TransferRow transfer, string outcome, string reason,
        CancellationToken ct, bool recorded = false)
    {
        if (recorded)
        {
            await TransferStore.EndAsync(tx, transfer.Id, outcome, reason, ct);
        }
        else
        {
            await TransferStore.InsertAsync(tx, transfer with { Status = outcome, Reason = reason, EndedAt = tx.Now.UtcDateTime }, ct);
        }
        decisions.TransferEnded(tx, conversation, transfer, outcome, reason);
        return new TransferResult(outcome == TransferOutcomes.Refused ? TransferStatus.Refused : TransferStatus.Ended, outcome, reason);
    }
}

internal enum TransferStatus
{
    Done,
    Offered,
    Refused,
    Ended,
    Repeated,
    Stale,
    NotFound,
}

/// <summary>What became of a transfer request or answer: <see cref="Outcome"/> is the transfer's status, <see cref="Reason"/> why.</summary>
internal sealed record TransferResult(TransferStatus Status, string Outcome, string? Reason)
{
    public static readonly TransferResult NotFound = new(TransferStatus.NotFound, "", null);
}
