using Dapper;
using Routing.AgentGateway.Database;
using Routing.AgentGateway.Events;
using Routing.Contracts;

namespace Routing.AgentGateway.FollowUps;

/// <summary>A follow-up as agents see it.</summary>
internal sealed class FollowUpView
{
    public Guid Id { get; init; }
    public Guid ConversationId { get; init; }
    public Guid CustomerId { get; init; }
    public string AgentId { get; init; } = "";
    public string Text { get; init; } = "";
    public DateTime DueAt { get; init; }

    /// <summary>scheduled, sending, sent, cancelled or failed.</summary>
    public string Status { get; init; } = "";

    /// <summary>The reply it went as (its statuses are the reply's), once sent.</summary>
    public Guid? ReplyId { get; init; }

    /// <summary>Why it failed.</summary>
    public string? Reason { get; init; }

    public DateTime CreatedAt { get; init; }

    public const string Columns = """
        id, conversation_id as ConversationId, customer_id as CustomerId, agent_id as AgentId, text, due_at as DueAt, status, reply_id as ReplyId,
        reason, created_at as CreatedAt
        """;
}

/// <summary>A customer's message: on which channel, and when.</summary>
internal sealed record CustomerWrote(string Channel, DateTime At);

/// <summary>
/// Agents' follow-ups (gateway_follow_ups): scheduled by an agent on a conversation of theirs, taken when due by one replica
/// (FOR UPDATE SKIP LOCKED), and marked sent, cancelled or failed; every change is an event to the agent (follow-up.changed).
/// </summary>
internal static class FollowUpStore
{
    private static readonly Guid EventNamespace = new("9b3f6e21-4c7d-4a85-b2e9-0d81f5c3a6e4");

    /// <summary>Schedules it; false when this id was scheduled before (a retried request), which changes nothing.</summary>
    public static async Task<bool> ScheduleAsync(GatewayTransaction tx, Guid id, Guid conversationId, Guid customerId, string agentId, string text,
        DateTimeOffset dueAt, CancellationToken ct)
    {
        var inserted = await tx.Connection.ExecuteAsync(new CommandDefinition(
            """
            insert into gateway_follow_ups (id, conversation_id, customer_id, agent_id, text, due_at, status, created_at, updated_at)
            values (@id, @conversationId, @customerId, @agentId, @text, @dueAt, 'scheduled', @now, @now)
            on conflict (id) do nothing
            """, new { id, conversationId, customerId, agentId, text, dueAt = dueAt.UtcDateTime, now = tx.Now.UtcDateTime }, tx.Transaction, cancellationToken: ct)) == 1;
        if (inserted)
        {
            await ChangedAsync(tx, id, conversationId, agentId, "scheduled", dueAt, text, null, ct);
        }
        return inserted;
    }

    public static async Task<FollowUpView?> GetAsync(GatewayTransaction tx, Guid id, CancellationToken ct) =>
        await tx.Connection.QuerySingleOrDefaultAsync<FollowUpView>(new CommandDefinition(
            $"select {FollowUpView.Columns} from gateway_follow_ups where id = @id", new { id }, tx.Transaction, cancellationToken: ct));

    /// <summary>The agent's follow-ups, soonest due first (of one status when given).</summary>
    public static async Task<IReadOnlyList<FollowUpView>> ListAsync(Npgsql.NpgsqlDataSource db, string agentId, string? status, int limit, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return (await connection.QueryAsync<FollowUpView>(new CommandDefinition(
            $"""
            select {FollowUpView.Columns} from gateway_follow_ups
            where agent_id = @agentId and (@status::text is null or status = @status) order by due_at, id limit @limit
            """, new { agentId, status, limit }, cancellationToken: ct))).ToList();
    }

    /// <summary>Cancels a scheduled follow-up of the agent's: the follow-up as it is now (null: not theirs), cancelled or not.</summary>
    public static async Task<FollowUpView?> CancelAsync(GatewayTransaction tx, Guid id, string agentId, CancellationToken ct)
    {
        var cancelled = await tx.Connection.QuerySingleOrDefaultAsync<FollowUpView>(new CommandDefinition(
            $"""
            update gateway_follow_ups set status = 'cancelled', updated_at = @now where id = @id and agent_id = @agentId and status = 'scheduled'
            returning {FollowUpView.Columns}
            """, new { id, agentId, now = tx.Now.UtcDateTime }, tx.Transaction, cancellationToken: ct));
        if (cancelled is not null)
        {
            await ChangedAsync(tx, id, cancelled.ConversationId, agentId, "cancelled", Utc(cancelled.DueAt), cancelled.Text, null, ct);
            return cancelled;
        }
        var now = await GetAsync(tx, id, ct);
        return now?.AgentId == agentId ? now : null;
    }

    /// <summary>
    /// Takes up to <paramref name="batch"/> due follow-ups (and ones left "sending" since <paramref name="staleBefore"/> by a
    /// replica that died) for this replica: marked "sending", committed by the caller.
    /// </summary>
    public static async Task<IReadOnlyList<FollowUpView>> ClaimDueAsync(GatewayTransaction tx, DateTimeOffset staleBefore, int batch, CancellationToken ct) =>
        (await tx.Connection.QueryAsync<FollowUpView>(new CommandDefinition(
            $"""
            update gateway_follow_ups set status = 'sending', updated_at = @now
            where id in (select id from gateway_follow_ups
                         where (status = 'scheduled' and due_at <= @now) or (status = 'sending' and updated_at < @staleBefore)
                         order by due_at limit @batch for update skip locked)
            returning {FollowUpView.Columns}
            """, new { now = tx.Now.UtcDateTime, staleBefore = staleBefore.UtcDateTime, batch }, tx.Transaction, cancellationToken: ct))).ToList();

    /// <summary>The follow-up went as reply <paramref name="replyId"/>, or failed for <paramref name="reason"/>, or goes back to wait (status "scheduled").</summary>
    public static async Task SettleAsync(GatewayTransaction tx, FollowUpView followUp, string status, Guid? replyId, string? reason, CancellationToken ct)
    {
        var changed = await tx.Connection.ExecuteAsync(new CommandDefinition(
            """
            update gateway_follow_ups set status = @status, reply_id = coalesce(@replyId, reply_id), reason = @reason, updated_at = @now
            where id = @id and status = 'sending'
            """, new { id = followUp.Id, status, replyId, reason, now = tx.Now.UtcDateTime }, tx.Transaction, cancellationToken: ct));
        if (changed == 1 && status != "scheduled")
        {
            await ChangedAsync(tx, followUp.Id, followUp.ConversationId, followUp.AgentId, status, Utc(followUp.DueAt), followUp.Text, reason, ct);
        }
    }

    /// <summary>
    /// The customer's first message after the follow-up was scheduled (its channel and when), under either customer id it may
    /// go by (the one it was scheduled for, and the conversation's now, after a merge); null when they have not written since.
    /// </summary>
    public static Task<CustomerWrote?> WrittenSinceAsync(GatewayTransaction tx, FollowUpView followUp, Guid currentCustomerId, CancellationToken ct) =>
        tx.Connection.QuerySingleOrDefaultAsync<CustomerWrote?>(new CommandDefinition(
            """
            select channel, at from gateway_messages
            where customer_id = any(@customers) and direction = 'in' and at > @since
            order by at limit 1
            """, new { customers = new[] { followUp.CustomerId, currentCustomerId }, since = followUp.CreatedAt }, tx.Transaction, cancellationToken: ct));

    private static Task ChangedAsync(GatewayTransaction tx, Guid id, Guid conversationId, string agentId, string status, DateTimeOffset dueAt, string text,
        string? reason, CancellationToken ct) =>
        tx.AppendAsync(AgentEventLog.IdFor(MessageIds.NameBased(EventNamespace, $"{id}:{status}"), agentId, EventTypes.FollowUp), agentId, EventTypes.FollowUp,
            new FollowUpData(conversationId, id, status, dueAt, text, reason), ct);

    private static DateTimeOffset Utc(DateTime at) => new(DateTime.SpecifyKind(at, DateTimeKind.Utc));
}
