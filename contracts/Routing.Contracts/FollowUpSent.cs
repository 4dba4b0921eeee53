namespace Routing.Contracts;

/// <summary>
/// An agent's follow-up went to a customer after their conversation closed ("in 3 days, ask whether the replacement
/// arrived"): the agent gateway sent it on the customer's channel. Until <see cref="AnswerBy"/>, routing offers the
/// customer's next conversation to that agent first (candidate source "follow-up"), before owners and history.
/// </summary>
public sealed record FollowUpSent
{
    public required Guid FollowUpId { get; init; }

    /// <summary>The closed conversation the follow-up belongs to.</summary>
    public required Guid ConversationId { get; init; }

    public required Guid CustomerId { get; init; }

    public required string AgentId { get; init; }

    public required string Channel { get; init; }

    public required DateTimeOffset SentAt { get; init; }

    /// <summary>Until when the customer's answer goes to the agent first; then the usual preferred set decides.</summary>
    public required DateTimeOffset AnswerBy { get; init; }
}
