using Routing.ServiceDefaults;
using Dapper;
using Npgsql;
using Routing.AgentGateway.Events;

namespace Routing.AgentGateway.Delivery;

/// <summary>A delivery claimed for one attempt, with its target.</summary>
/// <param name="TraceParent">The trace of the routing event the delivery comes from: each attempt is a span of it.</param>
/// <param name="QueuedAt">When the event was queued for this target.</param>
/// <param name="AssignedAt">For a conversation.assigned event, when routing assigned the conversation.</param>
internal sealed record ClaimedDelivery(Guid Id, Guid TargetId, string EventType, byte[] Body, int Attempts, string Kind, string AgentId,
    Guid? ConversationId, string? Url, byte[]? SecretCiphertext, string? Address, string? SlackUserId, string? TraceParent = null,
    DateTime? QueuedAt = null, DateTime? AssignedAt = null);

/// <summary>What waits for the agents' tools: <see cref="DeliveryStore.BacklogAsync"/>.</summary>
internal sealed record DeliveryBacklog(long Pending, double OldestPendingSeconds, long Exhausted);

/// <summary>A delivery as the admin API lists it.</summary>
internal sealed record DeliveryRow(Guid Id, Guid TargetId, Guid SourceMessageId, string EventType, string Status, int Attempts,
    DateTime NextAttemptAt, int? LastStatus, string? LastError, DateTime CreatedAt, DateTime? DeliveredAt);

/// <summary>
/// The deliveries of agents' events to their targets, in PostgreSQL. Replicas claim due deliveries with FOR UPDATE SKIP
/// LOCKED and push their next attempt a lease ahead, so a replica that dies mid-attempt leaves the delivery to another.
/// Slack and email deliveries of one conversation are claimed one at a time, in order: a thread is opened before
/// anything is written into it.
/// </summary>
internal sealed class DeliveryStore(NpgsqlDataSource db)
{
    /// <summary>Queues the bytes of an event for every enabled target of the agent; an event already queued (a redelivered message) adds nothing.</summary>
    public async Task<int> EnqueueAsync(string agentId, Guid sourceMessageId, string eventType, byte[] body, DateTimeOffset now, CancellationToken ct,
        Guid? conversationId = null)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return await AgentEventLog.QueueForTargetsAsync(connection, null, agentId, sourceMessageId, eventType, body, conversationId, now, ct);
    }

    /// <summary>
    /// A notice to the agent in one target (where they acted), delivered like any event: retried, in order with the
    /// conversation's other deliveries, and once per <paramref name="sourceId"/>.
    /// </summary>
    public async Task EnqueueNoticeAsync(Guid targetId, Guid sourceId, Guid conversationId, string text, DateTimeOffset now, CancellationToken ct)
    {
        var body = AgentEventLog.Serialize(EventTypes.Notice, now, new NoticeData(conversationId, text));
        await using var connection = await db.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            insert into gateway_deliveries (id, target_id, source_message_id, event_type, body, status, next_attempt_at, conversation_id, trace_parent)
            select gen_random_uuid(), t.id, @sourceId, @type, @body, 'pending', @now, @conversationId, @traceParent
            from gateway_targets t where t.id = @targetId and t.enabled
            on conflict (source_message_id, target_id) do nothing
            """, new { targetId, sourceId, type = EventTypes.Notice, body, conversationId, now = now.UtcDateTime, traceParent = ServiceTracing.CurrentParent() },
            cancellationToken: ct));
    }

    public async Task<IReadOnlyList<ClaimedDelivery>> ClaimDueAsync(int batch, TimeSpan lease, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return (await connection.QueryAsync<ClaimedDelivery>(new CommandDefinition(
            """
            update gateway_deliveries d
            set attempts = d.attempts + 1, next_attempt_at = @leaseUntil
            from (select p.id from gateway_deliveries p
                  join gateway_targets pt on pt.id = p.target_id
                  where p.status = 'pending' and p.next_attempt_at <= @now
                    and (pt.kind = 'webhook' or p.conversation_id is null or not exists (
                        select 1 from gateway_deliveries e
                        where e.target_id = p.target_id and e.conversation_id = p.conversation_id and e.status = 'pending' and e.seq < p.seq))
                  order by p.next_attempt_at
                  limit @batch
                  for update of p skip locked) due,
                 gateway_targets t
            where d.id = due.id and t.id = d.target_id
            returning d.id, d.target_id as TargetId, d.event_type as EventType, d.body, d.attempts, t.kind, t.agent_id as AgentId,
                      d.conversation_id as ConversationId, t.url, t.secret_ciphertext as SecretCiphertext, t.address, t.slack_user_id as SlackUserId,
                      d.trace_parent as TraceParent, d.created_at as QueuedAt,
                      case when d.event_type = 'conversation.assigned'
                           then (select c.assigned_at from gateway_conversations c where c.id = d.conversation_id) end as AssignedAt
            """, new { batch, now = now.UtcDateTime, leaseUntil = (now + lease).UtcDateTime }, cancellationToken: ct))).ToList();
    }

    /// <summary>Deliveries waiting for their tools, the age of the oldest of them, and deliveries exhausted and not replayed (the metrics' sampler).</summary>
    public async Task<DeliveryBacklog> BacklogAsync(DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return await connection.QuerySingleAsync<DeliveryBacklog>(new CommandDefinition(
            """
            select (select count(*) from gateway_deliveries where status = 'pending') as Pending,
                   coalesce(extract(epoch from @now - (select min(created_at) from gateway_deliveries where status = 'pending')), 0)::float8 as OldestPendingSeconds,
                   (select count(*) from gateway_deliveries where status = 'exhausted') as Exhausted
            """, new { now = now.UtcDateTime }, cancellationToken: ct));
    }

    /// <summary>Records deliveries the tools accepted, any number in one statement.</summary>
    public async Task DeliveredAsync(IReadOnlyList<(Guid Id, int Status)> delivered, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            update gateway_deliveries d set status = 'delivered', last_status = a.status, last_error = null, delivered_at = @now
            from unnest(@ids, @statuses) as a(id, status)
            where d.id = a.id
            """,
            new { ids = delivered.Select(d => d.Id).ToArray(), statuses = delivered.Select(d => d.Status).ToArray(), now = now.UtcDateTime }, cancellationToken: ct));
    }

    /// <summary>A failed attempt: tried again at <paramref name="retryAt"/>, or exhausted when there is none.</summary>
    public async Task FailedAsync(Guid id, int? status, string error, DateTimeOffset? retryAt, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            update gateway_deliveries
            set status = case when @exhausted then 'exhausted' else 'pending' end,
                next_attempt_at = case when @exhausted then next_attempt_at else @retryAt end, last_status = @status, last_error = @error
            where id = @id
            """, new { id, status, error, exhausted = retryAt is null, retryAt = (retryAt ?? DateTimeOffset.UnixEpoch).UtcDateTime }, cancellationToken: ct));
    }

    public async Task<IReadOnlyList<DeliveryRow>> ListAsync(string status, int limit, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return (await connection.QueryAsync<DeliveryRow>(new CommandDefinition(
            """
            select id, target_id as TargetId, source_message_id as SourceMessageId, event_type as EventType, status, attempts,
                   next_attempt_at as NextAttemptAt, last_status as LastStatus, last_error as LastError, created_at as CreatedAt, delivered_at as DeliveredAt
            from gateway_deliveries where status = @status order by created_at limit @limit
            """, new { status, limit }, cancellationToken: ct))).ToList();
    }

    public async Task<DeliveryRow?> GetAsync(Guid id, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<DeliveryRow>(new CommandDefinition(
            """
            select id, target_id as TargetId, source_message_id as SourceMessageId, event_type as EventType, status, attempts,
                   next_attempt_at as NextAttemptAt, last_status as LastStatus, last_error as LastError, created_at as CreatedAt, delivered_at as DeliveredAt
            from gateway_deliveries where id = @id
            """, new { id }, cancellationToken: ct));
    }

    /// <summary>An exhausted delivery tried again from its first attempt (same webhook-id); false when it is not exhausted or its target is disabled.</summary>
    public async Task<bool> ReplayAsync(Guid id, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return await connection.ExecuteAsync(new CommandDefinition(
            """
            update gateway_deliveries d set status = 'pending', attempts = 0, next_attempt_at = @now
            from gateway_targets t
            where d.id = @id and d.status = 'exhausted' and t.id = d.target_id and t.enabled
            """, new { id, now = now.UtcDateTime }, cancellationToken: ct)) == 1;
    }
}
