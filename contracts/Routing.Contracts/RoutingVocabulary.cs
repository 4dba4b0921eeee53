namespace Routing.Contracts;

// The words routing writes into receipts and events, and the gateway turns into sentences for agents. They cross
// services as strings on the wire; here they are one list that both sides compile against.

/// <summary>What caused a routing decision (<see cref="RoutingReceiptSummary.Trigger"/>, the decisions API).</summary>
public static class RoutingTriggers
{
    public const string NewConversation = "new-conversation";
    public const string HoldExpired = "hold-expired";
    public const string SlotFreed = "slot-freed";
    public const string OfflineGrace = "offline-grace";
    public const string OfferDeclined = "offer-declined";
    public const string OfferExpired = "offer-expired";
    public const string Closed = "closed";

    /// <summary>Every agent a conversation was held for went offline (or stopped serving its channel) before the hold ended.</summary>
    public const string HeldAgentsUnavailable = "held-agents-unavailable";

    /// <summary>A waiting conversation's customer wrote on another channel: routed again for that channel.</summary>
    public const string ChannelChanged = "channel-changed";

    /// <summary>The customer wrote again soon after their conversation was closed as idle: it is reopened, its agent first.</summary>
    public const string CustomerReturned = "customer-returned";

    /// <summary>A merge was undone: a conversation closed by the merge is the restored customer's again, and routed.</summary>
    public const string Unmerged = "unmerged";

    /// <summary>An agent or operator moved the conversation to another agent or a team (TransferConversation).</summary>
    public const string Transferred = "transferred";

    /// <summary>A queued conversation waited long enough for a requirement (its language, its skills) to be dropped: routed again.</summary>
    public const string RequirementsRelaxed = "requirements-relaxed";

    /// <summary>A queued conversation reached its team's queue time limit and moved to the overflow team (Routing:Overflow).</summary>
    public const string QueueOverflow = "queue-overflow";

    public static IReadOnlyList<string> All { get; } =
    [
        NewConversation, HoldExpired, SlotFreed, OfflineGrace, OfferDeclined, OfferExpired, Closed, HeldAgentsUnavailable, ChannelChanged,
        CustomerReturned, Unmerged, Transferred, RequirementsRelaxed, QueueOverflow,
    ];
}

/// <summary>What a routing decision did (<see cref="RoutingReceiptSummary.Outcome"/>).</summary>
public static class RoutingOutcomes
{
    public const string Assigned = "assigned";
    public const string Held = "held";
    public const string Queued = "queued";
    public const string Released = "released";
    public const string Closed = "closed";

    /// <summary>An agent asked to close a conversation that was no longer theirs.</summary>
    public const string CloseRefused = "close-refused";

    /// <summary>An agent asked to close a conversation in which the customer had written what the agent had not seen.</summary>
    public const string KeptOpen = "kept-open";

    /// <summary>Routing answered the waiting customer itself (ConversationAutoReplied): out of hours, or past the queue time limit.</summary>
    public const string AutoReplied = "auto-replied";

    /// <summary>A warm transfer was offered to an agent while the conversation's agent keeps it.</summary>
    public const string TransferOffered = "transfer-offered";

    /// <summary>A transfer did not happen (its reason is a <see cref="TransferOutcomes"/> value): refused, declined, expired, cancelled.</summary>
    public const string TransferEnded = "transfer-ended";

    public static IReadOnlyList<string> All { get; } = [Assigned, Held, Queued, Released, Closed, CloseRefused, KeptOpen, TransferOffered, TransferEnded, AutoReplied];
}

/// <summary>
/// Why routing decided (<see cref="RoutingReceiptSummary.Reason"/>). An assignment says which rule chose the agent;
/// a release (<see cref="ConversationReleased.Reason"/>) gives the trigger that took the conversation away.
/// </summary>
public static class RoutingReasons
{
    public const string PreferredOwner = "preferred-owner";
    public const string PreferredHistory = "preferred-history";

    /// <summary>The customer came back to a conversation closed as idle, and the agent who had it took it again.</summary>
    public const string PreviousAgent = "previous-agent";

    /// <summary>The customer answered an agent's follow-up, and that agent took the conversation.</summary>
    public const string FollowUpAgent = "follow-up-agent";
    public const string Fallback = "fallback";

    /// <summary>Another agent or an operator moved the conversation to this agent.</summary>
    public const string Transfer = "transfer";
    public const string HeldForAgent = "held-for-agent";
    public const string Queue = "queue";
    public const string PreferredBusy = "preferred-busy";
    public const string NoAgentAvailable = "no-agent-available";

    /// <summary>The reasons of an assignment, the ones ConversationAssigned carries.</summary>
    public static IReadOnlyList<string> OfAssignment { get; } = [PreferredOwner, PreferredHistory, PreviousAgent, FollowUpAgent, Fallback, Transfer, HeldForAgent, Queue];

    /// <summary>The reasons of a release, the ones ConversationReleased carries.</summary>
    public static IReadOnlyList<string> OfRelease { get; } = [RoutingTriggers.OfflineGrace, RoutingTriggers.OfferDeclined, RoutingTriggers.OfferExpired, RoutingTriggers.Transferred];
}

/// <summary>Why routing itself closed a conversation (<see cref="ConversationClosed.Reason"/> when ClosedBy is "routing").</summary>
public static class CloseReasons
{
    /// <summary>The customer wrote nothing for the channel's idle time.</summary>
    public const string Idle = "idle";

    /// <summary>Its customer was merged into another who had a conversation: closed into that one.</summary>
    public const string Merged = "merged";

    public static IReadOnlyList<string> All { get; } = [Idle, Merged];
}

/// <summary>Why routing answered a waiting customer itself (<see cref="ConversationAutoReplied.Reason"/>).</summary>
public static class AutoReplyReasons
{
    /// <summary>They wrote while the hours that apply were closed, and nobody could take it: told when to expect an answer.</summary>
    public const string OutOfHours = "out-of-hours";

    /// <summary>The conversation waited past its queue time limit (Routing:Overflow): told it is still waiting.</summary>
    public const string QueueOverflow = "queue-overflow";

    public static IReadOnlyList<string> All { get; } = [OutOfHours, QueueOverflow];
}

/// <summary>How a transfer ended (<see cref="ConversationTransferEnded.Outcome"/>).</summary>
public static class TransferOutcomes
{
    /// <summary>The conversation moved.</summary>
    public const string Done = "done";

    /// <summary>It could not be carried out: the receiver cannot take it now, or the conversation is not the sender's.</summary>
    public const string Refused = "refused";

    /// <summary>The receiver of a warm transfer said no.</summary>
    public const string Declined = "declined";

    /// <summary>The receiver of a warm transfer did not answer in time.</summary>
    public const string Expired = "expired";

    /// <summary>The conversation closed or left its agent while a warm transfer was on offer.</summary>
    public const string Cancelled = "cancelled";

    public static IReadOnlyList<string> All { get; } = [Done, Refused, Declined, Expired, Cancelled];
}

/// <summary>Where a candidate in a receipt came from (<see cref="CandidateSummary.Source"/>).</summary>
public static class CandidateSources
{
    /// <summary>One of the customer's owners (preferred agents named by an operator).</summary>
    public const string Owner = "owner";

    /// <summary>An agent who handled the customer within the history lookback.</summary>
    public const string History = "history";

    /// <summary>The fallback pool: any agent serving the channel.</summary>
    public const string Pool = "pool";

    /// <summary>The agent who had the conversation before it was closed as idle, first when the customer returns.</summary>
    public const string Previous = "previous";

    /// <summary>The agent whose follow-up the customer is answering (FollowUpSent), first until the answer window ends.</summary>
    public const string FollowUp = "follow-up";

    /// <summary>A preferred agent a held conversation was waiting for.</summary>
    public const string Preferred = "preferred";

    /// <summary>The agent that had the conversation, in the receipt of a release.</summary>
    public const string Assigned = "assigned";

    /// <summary>The agent (or team member) a transfer named, in a transfer's receipt.</summary>
    public const string Transfer = "transfer";
}

/// <summary>An agent's presence (<see cref="AgentPresenceChanged.Status"/>, the agents API).</summary>
public static class AgentPresences
{
    public const string Available = "available";
    public const string Away = "away";
    public const string Offline = "offline";

    public static bool IsValid(string? value) => value is Available or Away or Offline;
}
