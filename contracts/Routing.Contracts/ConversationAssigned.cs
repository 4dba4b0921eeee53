namespace Routing.Contracts;

/// <summary>A conversation now belongs to an agent (or is offered to one who must accept).</summary>
public sealed record ConversationAssigned
{
    public required Guid ConversationId { get; init; }

    public required Guid CustomerId { get; init; }

    public required string AgentId { get; init; }

    public required string Channel { get; init; }

    public required string ChannelAccount { get; init; }

    /// <summary>The customer's known addresses on every channel, so the agent sees the whole person.</summary>
    public IReadOnlyList<CustomerAddress> CustomerAddresses { get; init; } = [];

    public string? CustomerDisplayName { get; init; }

    /// <summary>True when the agent must accept: the assignment is an offer that expires at OfferExpiresAt.</summary>
    public required bool RequiresAccept { get; init; }

    public DateTimeOffset? OfferExpiresAt { get; init; }

    public required RoutingReceiptSummary Receipt { get; init; }

    /// <summary>The latest customer messages of the conversation, oldest first (at most 20).</summary>
    public IReadOnlyList<ConversationMessage> RecentMessages { get; init; } = [];

    /// <summary>The customer's explicit owners, in order of preference.</summary>
    public IReadOnlyList<string> PreferredAgents { get; init; } = [];

    /// <summary>The agents who handled the customer, most recent first.</summary>
    public IReadOnlyList<AgentRelationship> RelationshipHistory { get; init; } = [];

    /// <summary>The customer's latest messages in earlier conversations, oldest first (at most 10), each with its conversation.</summary>
    public IReadOnlyList<ConversationMessage> EarlierMessages { get; init; } = [];

    /// <summary>What agents and operators wrote down about the customer, newest first (at most 20): whoever serves them next reads it.</summary>
    public IReadOnlyList<CustomerNote> CustomerNotes { get; init; } = [];

    /// <summary>The customer's tags (vip, returns, …), in order.</summary>
    public IReadOnlyList<string> CustomerTags { get; init; } = [];

    /// <summary>For a transfer (reason transfer): who moved it here, an agent or operator:name.</summary>
    public string? TransferredBy { get; init; }

    /// <summary>For a transfer: what the sender wrote for the next agent.</summary>
    public string? TransferNote { get; init; }

    public required DateTimeOffset AssignedAt { get; init; }
}
