namespace Routing.Contracts;

/// <summary>Which customer a conversation belongs to (after a merge or an unmerge moved it).</summary>
public sealed record ConversationOwner
{
    public required Guid ConversationId { get; init; }

    public required Guid CustomerId { get; init; }
}
