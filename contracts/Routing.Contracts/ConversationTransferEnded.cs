namespace Routing.Contracts;

/// <summary>
/// How a transfer ended (<see cref="TransferOutcomes"/>): done (the conversation moved: a ConversationAssigned or
/// ConversationQueued follows for the receiver, a ConversationReleased for the sender), or not, with the reason in words.
/// </summary>
public sealed record ConversationTransferEnded
{
    public required Guid TransferId { get; init; }

    public required Guid ConversationId { get; init; }

    public required string RequestedBy { get; init; }

    /// <summary>The conversation's agent when it was asked (null when an operator moved a waiting conversation).</summary>
    public string? FromAgentId { get; init; }

    /// <summary>The receiving agent (for a warm transfer to a team, the member it was offered to).</summary>
    public string? ToAgentId { get; init; }

    public string? ToTeam { get; init; }

    public required bool Warm { get; init; }

    public required string Outcome { get; init; }

    /// <summary>Why it did not happen, in words ("ben is away since …", "ben declined: on a call").</summary>
    public string? Reason { get; init; }

    public Guid? DecisionId { get; init; }

    public required DateTimeOffset EndedAt { get; init; }
}
