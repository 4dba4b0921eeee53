namespace Routing.Contracts;

/// <summary>
/// A merge was undone: <see cref="RestoredId"/> is a person of their own again, with the addresses that had moved. Messages
/// go back to the conversations they were in before the merge (<see cref="MovedMessages"/>); each conversation touched belongs
/// to whoever wrote its first message (<see cref="Conversations"/>); a conversation the merge had closed is
/// reopened when its customer has no other (<see cref="ReopenedConversationIds"/>, routed again with trigger "unmerged").
/// </summary>
public sealed record CustomersUnmerged
{
    public required Guid MergeId { get; init; }

    public required Guid SurvivorId { get; init; }

    public required Guid RestoredId { get; init; }

    public required IReadOnlyList<MessageMove> MovedMessages { get; init; }

    public required IReadOnlyList<ConversationOwner> Conversations { get; init; }

    public required IReadOnlyList<Guid> ReopenedConversationIds { get; init; }

    public required DateTimeOffset UnmergedAt { get; init; }
}
