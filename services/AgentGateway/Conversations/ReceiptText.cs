using Routing.Contracts;

namespace Routing.AgentGateway.Conversations;

/// <summary>
/// Routing's codes as sentences for the agent: "you are the customer's owner", "you handled this customer
/// before; ben: 3/3 open", "fallback: anna away since 09:12". Tools that want more have the receipt itself.
/// Every reason and trigger routing can emit (the lists in Routing.Contracts) has its sentence here.
/// </summary>
internal static class ReceiptText
{
    private static readonly Dictionary<string, string> TriggerTexts = new(StringComparer.Ordinal)
    {
        [RoutingTriggers.NewConversation] = "the customer started a conversation",
        [RoutingTriggers.HoldExpired] = "the hold for the preferred agents ended",
        [RoutingTriggers.SlotFreed] = "you freed a slot",
        [RoutingTriggers.OfflineGrace] = "the previous agent was offline too long",
        [RoutingTriggers.OfferDeclined] = "the previous agent declined",
        [RoutingTriggers.OfferExpired] = "the previous offer expired",
        [RoutingTriggers.Closed] = "the conversation was closed",
        [RoutingTriggers.HeldAgentsUnavailable] = "the preferred agents it was held for went offline",
        [RoutingTriggers.ChannelChanged] = "the customer wrote on another channel",
        [RoutingTriggers.CustomerReturned] = "the customer wrote again soon after the conversation was closed as idle",
        [RoutingTriggers.Unmerged] = "a merge of two customers was undone",
        [RoutingTriggers.Transferred] = "it was transferred",
        [RoutingTriggers.QueueOverflow] = "it waited past its team's queue time limit and overflowed to yours",
        [RoutingTriggers.RequirementsRelaxed] = "it waited long enough for its language or skills to be relaxed",
    };

    private static readonly Dictionary<string, string> ReasonTexts = new(StringComparer.Ordinal)
    {
        [RoutingReasons.PreferredOwner] = "you are the customer's owner",
        [RoutingReasons.PreferredHistory] = "you handled this customer before",
        [RoutingReasons.PreviousAgent] = "the customer came back to the conversation you had",
        [RoutingReasons.FollowUpAgent] = "the customer answered your follow-up",
        [RoutingReasons.HeldForAgent] = "the conversation was held for you as a preferred agent",
        [RoutingReasons.Fallback] = "fallback: the customer has no preferred agent available",
        [RoutingReasons.Transfer] = "it was transferred to you",
        [RoutingReasons.Queue] = "next in the queue for you",
        [RoutingReasons.PreferredBusy] = "held for the customer's preferred agents, who were busy",
        [RoutingReasons.NoAgentAvailable] = "queued: no agent had a free slot",
    };

    private static readonly Dictionary<string, string> ReleaseTexts = new(StringComparer.Ordinal)
    {
        [RoutingTriggers.OfflineGrace] = "you were offline longer than the grace period",
        [RoutingTriggers.OfferDeclined] = "you declined the offer",
        [RoutingTriggers.OfferExpired] = "the offer expired before you accepted it",
        [RoutingTriggers.Transferred] = "you transferred it",
    };

    /// <summary>The sentence for a reason code, or null for a code this gateway does not know (a newer routing).</summary>
    public static string? Reason(string reason) => ReasonTexts.GetValueOrDefault(reason);

    /// <summary>The sentence for a trigger code, or null for a code this gateway does not know.</summary>
    public static string? Trigger(string trigger) => TriggerTexts.GetValueOrDefault(trigger);

    /// <summary>Why the agent lost a conversation (ConversationReleased's reason), in words; an unknown code is shown as it came.</summary>
    public static string Released(string? reason) =>
        reason is null ? "released by routing" : ReleaseTexts.GetValueOrDefault(reason) ?? reason;

    /// <summary>How a transfer ended, in words for the agent who asked (or was offered it).</summary>
    public static string TransferEnded(string outcome, string? reason, string? toAgentId, string? toTeam)
    {
        var to = toTeam is not null ? $"team {toTeam}" + (toAgentId is null ? "" : $" ({toAgentId})") : toAgentId ?? "another agent";
        return outcome switch
        {
            TransferOutcomes.Done => $"Transferred to {to}.",
            TransferOutcomes.Refused => $"Not transferred to {to}: {reason ?? "refused"}. The conversation stays where it was.",
            TransferOutcomes.Declined => $"Not transferred: {reason ?? to + " declined"}. The conversation stays with its agent.",
            TransferOutcomes.Expired => $"Not transferred: {to} did not answer in time. The conversation stays with its agent.",
            TransferOutcomes.Cancelled => $"The transfer to {to} was called off: {reason ?? "the conversation moved on"}.",
            _ => $"Transfer to {to}: {outcome}" + (reason is null ? "" : $" ({reason})"),
        };
    }

    /// <summary>Whether <paramref name="reason"/> has a release sentence.</summary>
    public static bool KnowsRelease(string reason) => ReleaseTexts.ContainsKey(reason);

    /// <summary>
    /// Why the conversation came to <paramref name="agentId"/>; a transfer says who moved it and their note first
    /// ("ann transferred it to you: needs a refund"), and for one to a team, why this member.
    /// </summary>
    public static string For(RoutingReceiptSummary receipt, string agentId, string? transferredBy = null, string? transferNote = null)
    {
        if (transferredBy is not null)
        {
            var moved = $"{transferredBy} transferred it to you" + (string.IsNullOrWhiteSpace(transferNote) ? "" : $": {transferNote.Trim()}");
            return receipt.Reason == RoutingReasons.Transfer ? moved : $"{moved} ({For(receipt with { Trigger = RoutingTriggers.NewConversation }, agentId)})";
        }

        var passedOver = receipt.Candidates
            .Where(c => c.AgentId != agentId && c.Source is CandidateSources.Owner or CandidateSources.History or CandidateSources.FollowUp)
            .Select(c => $"{c.AgentId}: {c.Verdict}")
            .ToList();
        var others = passedOver.Count > 0 ? "; " + string.Join("; ", passedOver) : "";
        var why = receipt.Reason switch
        {
            RoutingReasons.Fallback when passedOver.Count > 0 => "fallback: " + string.Join("; ", passedOver),
            RoutingReasons.Fallback or RoutingReasons.Queue => ReasonTexts[receipt.Reason],
            _ => (Reason(receipt.Reason) ?? receipt.Reason) + others,
        };
        // A new conversation is the ordinary case: said only when something else caused the decision.
        return receipt.Trigger != RoutingTriggers.NewConversation && Trigger(receipt.Trigger) is { } trigger ? $"{why} ({trigger})" : why;
    }
}
