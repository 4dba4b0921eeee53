namespace Routing.Database;

internal sealed record ConversationRow
{
    public Guid Id { get; init; }
    public Guid CustomerId { get; init; }
    public string Channel { get; init; } = "";
    public string ChannelAccount { get; init; } = "";
    public string? ThreadKey { get; init; }
    public string Status { get; init; } = "";
    public string? AgentId { get; init; }
    public int Priority { get; init; }
    public string[] HeldFor { get; init; } = [];
    public DateTime? HoldUntil { get; init; }
    public string[] ExcludedAgents { get; init; } = [];
    public DateTime? OfferExpiresAt { get; init; }
    public DateTime? AcceptedAt { get; init; }
    public DateTime CreatedAt { get; init; }
    public DateTime? WaitingSince { get; init; }
    public DateTime? AssignedAt { get; init; }
    public DateTime? ClosedAt { get; init; }
    public string? ClosedBy { get; init; }
    public string? CloseReason { get; init; }
    public DateTime LastMessageAt { get; init; }
}
