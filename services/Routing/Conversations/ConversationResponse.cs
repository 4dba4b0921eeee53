using Routing.Database;
using System.Text.Json;

namespace Routing.Conversations;

internal sealed record ConversationResponse(
    Guid Id, Guid CustomerId, string Channel, string ChannelAccount, string? ThreadKey, string Status, string? AgentId, int Priority,
    string[] HeldFor, DateTimeOffset? HoldUntil, string[] ExcludedAgents, DateTimeOffset? OfferExpiresAt, DateTimeOffset? AcceptedAt,
    DateTimeOffset CreatedAt, DateTimeOffset? WaitingSince, DateTimeOffset? AssignedAt, DateTimeOffset? ClosedAt, string? ClosedBy,
    string? CloseReason, DateTimeOffset LastMessageAt, string? Team, string? Language, string[] Skills, ConversationMeasuresResponse Measures,
    string Visibility)
{
    public static ConversationResponse From(ConversationRow c) => new(
        c.Id, c.CustomerId, c.Channel, c.ChannelAccount, c.ThreadKey, c.Status, c.AgentId, c.Priority, c.HeldFor, U(c.HoldUntil),
        c.ExcludedAgents, U(c.OfferExpiresAt), U(c.AcceptedAt), AgentRow.Utc(c.CreatedAt), U(c.WaitingSince), U(c.AssignedAt),
        U(c.ClosedAt), c.ClosedBy, c.CloseReason, AgentRow.Utc(c.LastMessageAt), c.Team, c.Language, c.Skills,
        new ConversationMeasuresResponse(U(c.FirstAssignedAt), U(c.FirstResponseAt), U(c.LastReplyAt), c.HandleSeconds, c.PreferredHit), c.Visibility);

    private static DateTimeOffset? U(DateTime? value) => value is { } v ? AgentRow.Utc(v) : null;
}

/// <summary>What the service levels measure of this conversation (GET /reports/service-levels sums them up).</summary>
/// <param name="FirstAssignedAt">When it first reached an agent.</param>
/// <param name="FirstResponseAt">When the channel sent the first reply an agent wrote.</param>
/// <param name="LastReplyAt">When it sent the latest.</param>
/// <param name="HandleSeconds">The time agents had it, up to its last close (null: never closed after an assignment).</param>
/// <param name="PreferredHit">Whether its first assignment went to a preferred agent (null: its customer had none).</param>
internal sealed record ConversationMeasuresResponse(DateTimeOffset? FirstAssignedAt, DateTimeOffset? FirstResponseAt, DateTimeOffset? LastReplyAt,
    double? HandleSeconds, bool? PreferredHit);

internal sealed record DecisionResponse(
    Guid Id, DateTimeOffset At, string Trigger, string Outcome, string Reason, string? AgentId, JsonElement Candidates, int CandidatesConsidered)
{
    public static DecisionResponse From(DecisionRow d) => new(
        d.Id, AgentRow.Utc(d.At), d.Trigger, d.Outcome, d.Reason, d.AgentId, JsonDocument.Parse(d.Candidates).RootElement.Clone(), d.CandidatesConsidered);
}

internal sealed record CloseRequest(string? ClosedBy, string? Reason);
