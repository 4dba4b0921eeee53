namespace Routing.Contracts;

/// <summary>
/// A warm transfer: <see cref="ToAgentId"/> is asked to take a conversation <see cref="FromAgentId"/> still has, until
/// <see cref="ExpiresAt"/>. A slot of theirs is kept for it meanwhile. They answer with <see cref="AgentAnsweredTransfer"/>.
/// </summary>
public sealed record ConversationTransferOffered
{
    public required Guid TransferId { get; init; }

    public required Guid ConversationId { get; init; }

    public required Guid CustomerId { get; init; }

    public required string FromAgentId { get; init; }

    public required string ToAgentId { get; init; }

    /// <summary>Set when the transfer was to a team and routing chose its member.</summary>
    public string? ToTeam { get; init; }

    public required string Channel { get; init; }

    public string? Note { get; init; }

    public string? CustomerDisplayName { get; init; }

    /// <summary>The latest customer messages of the conversation, oldest first (at most 20): what the offer is about.</summary>
    public IReadOnlyList<ConversationMessage> RecentMessages { get; init; } = [];

    public required Guid DecisionId { get; init; }

    public required DateTimeOffset ExpiresAt { get; init; }

    public required DateTimeOffset OfferedAt { get; init; }
}
