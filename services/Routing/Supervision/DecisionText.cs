using System.Text.Json;
using Routing.Contracts;
using Routing.Database;
using Routing.Outbox;
using Routing.Policy;

namespace Routing.Supervision;

/// <summary>
/// A routing decision in words for a supervisor, in the third person: "Assigned to anna: the customer's owner.",
/// "Held for ben until 10:42: the customer's preferred agents were busy (ben: 3/3 open).". Every outcome, reason and
/// trigger in Routing.Contracts has its words; a code from a newer routing is shown as it is.
/// </summary>
internal static class DecisionText
{
    private static readonly Dictionary<string, string> Reasons = new(StringComparer.Ordinal)
    {
        [RoutingReasons.PreferredOwner] = "the customer's owner",
        [RoutingReasons.PreferredHistory] = "handled this customer before",
        [RoutingReasons.PreviousAgent] = "had the conversation before it was closed as idle",
        [RoutingReasons.FollowUpAgent] = "the customer answered their follow-up",
        [RoutingReasons.HeldForAgent] = "the preferred agent it was held for",
        [RoutingReasons.Fallback] = "fallback, no preferred agent could take it",
        [RoutingReasons.Transfer] = "transferred",
        [RoutingReasons.Queue] = "next in the queue",
        [RoutingReasons.PreferredBusy] = "the customer's preferred agents were busy",
        [RoutingReasons.NoAgentAvailable] = "no agent had a free slot",
    };

    private static readonly Dictionary<string, string> Triggers = new(StringComparer.Ordinal)
    {
        [RoutingTriggers.NewConversation] = "the customer wrote",
        [RoutingTriggers.HoldExpired] = "the hold ended",
        [RoutingTriggers.SlotFreed] = "an agent freed a slot",
        [RoutingTriggers.OfflineGrace] = "the agent was offline past the grace period",
        [RoutingTriggers.OfferDeclined] = "the agent declined",
        [RoutingTriggers.OfferExpired] = "the offer expired",
        [RoutingTriggers.Closed] = "it was closed",
        [RoutingTriggers.HeldAgentsUnavailable] = "the agents it was held for went offline",
        [RoutingTriggers.ChannelChanged] = "the customer wrote on another channel",
        [RoutingTriggers.CustomerReturned] = "the customer came back after an idle close",
        [RoutingTriggers.Unmerged] = "a merge was undone",
        [RoutingTriggers.Transferred] = "it was transferred",
        [RoutingTriggers.RequirementsRelaxed] = "its language or skills were relaxed",
        [RoutingTriggers.QueueOverflow] = "it overflowed past its team's queue limit",
    };

    public static string Reason(string code) => Reasons.GetValueOrDefault(code) ?? code;

    public static string Trigger(string code) => Triggers.GetValueOrDefault(code) ?? code;

    /// <summary>The decision as one sentence; <paramref name="holdUntil"/>, when known, is when a hold ends.</summary>
    public static string Describe(DecisionRow d, DateTimeOffset? holdUntil = null)
    {
        var agent = d.AgentId ?? "an agent";
        var passed = PassedOver(d);
        var sentence = d.Outcome switch
        {
            RoutingOutcomes.Assigned => $"Assigned to {agent}: {Reason(d.Reason)}{passed}.",
            RoutingOutcomes.Held => $"Held for {HeldFor(d)}{(holdUntil is { } until ? " until " + ConsoleFormat.Time(until) : "")}: {Reason(d.Reason)}{passed}.",
            RoutingOutcomes.Queued => $"Queued: {Reason(d.Reason)}{passed}.",
            RoutingOutcomes.Released => $"Taken from {agent}: {Trigger(d.Reason)}.",
            RoutingOutcomes.Closed => $"Closed{(d.AgentId is null ? "" : " (it was " + d.AgentId + "'s)")}{CloseReason(d.Reason)}.",
            RoutingOutcomes.CloseRefused => $"{agent} asked to close it, but it was no longer theirs.",
            RoutingOutcomes.KeptOpen => $"Kept open: {agent} asked to close it, but the customer had written since.",
            RoutingOutcomes.AutoReplied => $"The customer was answered automatically: {(d.Reason == AutoReplyReasons.OutOfHours ? "out of hours" : d.Reason == AutoReplyReasons.QueueOverflow ? "it waited past the queue limit" : d.Reason)}.",
            RoutingOutcomes.TransferOffered => $"Transfer offered to {agent}.",
            RoutingOutcomes.TransferEnded => $"Transfer not done: {d.Reason}.",
            _ => $"{d.Outcome}: {d.Reason}.",
        };
        // the ordinary cause (a customer's message) goes without saying
        return d.Trigger is RoutingTriggers.NewConversation or RoutingTriggers.Closed || d.Outcome == RoutingOutcomes.Released
            ? sentence
            : $"{sentence} Because {Trigger(d.Trigger)}.";
    }

    private static string CloseReason(string reason) => reason switch
    {
        RoutingOutcomes.Closed or "" => "",
        CloseReasons.Idle => ": the customer wrote nothing for the channel's idle time",
        CloseReasons.Merged => ": its customer was merged into another, whose conversation goes on",
        _ => ": " + reason,
    };

    private static string HeldFor(DecisionRow d)
    {
        var held = Candidates(d).Where(c => c.Source is CandidateSources.Owner or CandidateSources.History or CandidateSources.FollowUp).Select(c => c.AgentId).Distinct().ToList();
        return held.Count == 0 ? d.AgentId ?? "the preferred agents" : string.Join(", ", held);
    }

    /// <summary>"(ben: 3/3 open; anna: away since 09:12)": the preferred agents who were not chosen, and why.</summary>
    private static string PassedOver(DecisionRow d)
    {
        var others = Candidates(d)
            .Where(c => c.AgentId != d.AgentId && c.Source is CandidateSources.Owner or CandidateSources.History or CandidateSources.FollowUp)
            .Select(c => $"{c.AgentId}: {c.Verdict}")
            .ToList();
        return others.Count == 0 ? "" : $" ({string.Join("; ", others)})";
    }

    private static IReadOnlyList<CandidateVerdict> Candidates(DecisionRow d)
    {
        try
        {
            return JsonSerializer.Deserialize<List<CandidateVerdict>>(d.Candidates, ContractTypes.Json) ?? [];
        }
        catch (JsonException)
        {
            return [];
        }
    }
}
