using Dapper;

namespace Routing.Database;

/// <summary>Timers are rows: they survive restarts and any replica may fire them.</summary>
internal static class TimerStore
{
    public static Task ScheduleForConversationAsync(RoutingTransaction tx, string kind, Guid conversationId, DateTimeOffset dueAt, CancellationToken ct) =>
        tx.Connection.ExecuteAsync(tx.Command(
            """
            insert into timers (kind, conversation_id, due_at) values (@kind, @conversationId, @dueAt)
            on conflict (kind, conversation_id) where conversation_id is not null do update set due_at = excluded.due_at
            """, new { kind, conversationId, dueAt }, ct));

    public static Task ScheduleGraceAsync(RoutingTransaction tx, string agentId, DateTimeOffset dueAt, CancellationToken ct) =>
        tx.Connection.ExecuteAsync(tx.Command(
            """
            insert into timers (kind, agent_id, due_at) values ('grace', @agentId, @dueAt)
            on conflict (kind, agent_id) where kind = 'grace' do update set due_at = excluded.due_at
            """, new { agentId, dueAt }, ct));

    public static Task CancelForConversationAsync(RoutingTransaction tx, Guid conversationId, CancellationToken ct, string? kind = null) =>
        tx.Connection.ExecuteAsync(tx.Command(
            "delete from timers where conversation_id = @conversationId and (@kind::text is null or kind = @kind)", new { conversationId, kind }, ct));

    public static Task CancelGraceAsync(RoutingTransaction tx, string agentId, CancellationToken ct) =>
        tx.Connection.ExecuteAsync(tx.Command("delete from timers where kind = 'grace' and agent_id = @agentId", new { agentId }, ct));

    /// <summary>Claims one due timer for this transaction; other replicas skip it and take the next.</summary>
    public static Task<DueTimer?> ClaimDueAsync(RoutingTransaction tx, CancellationToken ct) =>
        tx.Connection.QuerySingleOrDefaultAsync<DueTimer>(tx.Command(
            """
            delete from timers where id = (
                select id from timers where due_at <= @now order by due_at, id limit 1 for update skip locked)
            returning id, kind, conversation_id, agent_id, due_at
            """, new { now = tx.Now }, ct));
}

internal sealed record DueTimer
{
    public long Id { get; init; }
    public string Kind { get; init; } = "";
    public Guid? ConversationId { get; init; }
    public string? AgentId { get; init; }
    public DateTime DueAt { get; init; }
}
