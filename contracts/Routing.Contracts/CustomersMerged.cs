namespace Routing.Contracts;

/// <summary>
/// Two customers were found to be one person: every address of <see cref="MergedId"/> is <see cref="SurvivorId"/>'s now. A
/// person has one conversation at a time: when both had one, the person keeps <see cref="KeptConversationId"/> and the other
/// (<see cref="AbsorbedConversationId"/>) is closed (ConversationClosed, reason "merged") with its messages moved into the kept
/// one, where its agent (<see cref="AgentId"/>) is shown them.
/// </summary>
public sealed record CustomersMerged
{
    public required Guid MergeId { get; init; }

    public required Guid SurvivorId { get; init; }

    public required Guid MergedId { get; init; }

    /// <summary>The person's conversation that is not closed, if either had one.</summary>
    public Guid? KeptConversationId { get; init; }

    /// <summary>The conversation closed into the kept one, when both customers had one.</summary>
    public Guid? AbsorbedConversationId { get; init; }

    /// <summary>The kept conversation's agent, when it has one.</summary>
    public string? AgentId { get; init; }

    /// <summary>Messages that moved from the absorbed conversation into the kept one.</summary>
    public required IReadOnlyList<Guid> MovedMessageIds { get; init; }

    public required DateTimeOffset MergedAt { get; init; }
}
