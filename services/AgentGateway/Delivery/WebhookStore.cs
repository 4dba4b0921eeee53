using Dapper;
using Npgsql;

namespace Routing.AgentGateway.Delivery;

/// <summary>A delivery claimed for one attempt, with its target.</summary>
internal sealed record ClaimedDelivery(Guid Id, Guid TargetId, string EventType, byte[] Body, int Attempts, string Url, byte[] SecretCiphertext);

/// <summary>A target as the admin API lists it (never its secret).</summary>
internal sealed record TargetRow(Guid Id, string AgentId, string Url, bool Enabled, string? DisabledReason, DateTime CreatedAt);

/// <summary>A delivery as the admin API lists it.</summary>
internal sealed record DeliveryRow(Guid Id, Guid TargetId, Guid SourceMessageId, string EventType, string Status, int Attempts,
    DateTime NextAttemptAt, int? LastStatus, string? LastError, DateTime CreatedAt, DateTime? DeliveredAt);

/// <summary>
/// Webhook targets and deliveries in PostgreSQL. Replicas claim due deliveries with FOR UPDATE SKIP LOCKED and
/// push their next attempt a lease ahead, so a replica that dies mid-attempt leaves the delivery to another.
/// </summary>
internal sealed class WebhookStore(NpgsqlDataSource db)
{
    public async Task<Guid> AddTargetAsync(string agentId, string url, byte[] secretCiphertext, CancellationToken ct)
    {
        var id = Guid.CreateVersion7();
        await using var connection = await db.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            "insert into gateway_webhook_targets (id, agent_id, url, secret_ciphertext) values (@id, @agentId, @url, @secretCiphertext)",
            new { id, agentId, url, secretCiphertext }, cancellationToken: ct));
        return id;
    }

    public async Task<IReadOnlyList<TargetRow>> TargetsAsync(string agentId, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return (await connection.QueryAsync<TargetRow>(new CommandDefinition(
            """
            select id, agent_id as AgentId, url, enabled, disabled_reason as DisabledReason, created_at as CreatedAt
            from gateway_webhook_targets where agent_id = @agentId order by created_at
            """, new { agentId }, cancellationToken: ct))).ToList();
    }

    /// <summary>Queues one event for every enabled target of the agent; an event already queued (a redelivered message) adds nothing.</summary>
    public async Task<int> EnqueueAsync(string agentId, Guid sourceMessageId, string eventType, byte[] body, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return await EnqueueAsync(connection, null, agentId, sourceMessageId, eventType, body, now, ct);
    }

    /// <summary>The same, inside the caller's transaction: the event and its deliveries are stored together or not at all.</summary>
    public static Task<int> EnqueueAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, string agentId, Guid sourceMessageId, string eventType,
        byte[] body, DateTimeOffset now, CancellationToken ct) =>
        connection.ExecuteAsync(new CommandDefinition(
            """
            insert into gateway_webhook_deliveries (id, target_id, source_message_id, event_type, body, status, next_attempt_at)
            select gen_random_uuid(), t.id, @sourceMessageId, @eventType, @body, 'pending', @now
            from gateway_webhook_targets t
            where t.agent_id = @agentId and t.enabled
            on conflict (source_message_id, target_id) do nothing
            """, new { agentId, sourceMessageId, eventType, body, now = now.UtcDateTime }, tx, cancellationToken: ct));

    public async Task<IReadOnlyList<ClaimedDelivery>> ClaimDueAsync(int batch, TimeSpan lease, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return (await connection.QueryAsync<ClaimedDelivery>(new CommandDefinition(
            """
            update gateway_webhook_deliveries d
            set attempts = d.attempts + 1, next_attempt_at = @leaseUntil
            from (select id from gateway_webhook_deliveries
                  where status = 'pending' and next_attempt_at <= @now
                  order by next_attempt_at
                  limit @batch
                  for update skip locked) due,
                 gateway_webhook_targets t
            where d.id = due.id and t.id = d.target_id
            returning d.id, d.target_id as TargetId, d.event_type as EventType, d.body, d.attempts, t.url, t.secret_ciphertext as SecretCiphertext
            """, new { batch, now = now.UtcDateTime, leaseUntil = (now + lease).UtcDateTime }, cancellationToken: ct))).ToList();
    }

    public async Task DeliveredAsync(Guid id, int status, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            "update gateway_webhook_deliveries set status = 'delivered', last_status = @status, last_error = null, delivered_at = @now where id = @id",
            new { id, status, now = now.UtcDateTime }, cancellationToken: ct));
    }

    /// <summary>A failed attempt: tried again at <paramref name="retryAt"/>, or exhausted when there is none.</summary>
    public async Task FailedAsync(Guid id, int? status, string error, DateTimeOffset? retryAt, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            update gateway_webhook_deliveries
            set status = case when @exhausted then 'exhausted' else 'pending' end,
                next_attempt_at = case when @exhausted then next_attempt_at else @retryAt end, last_status = @status, last_error = @error
            where id = @id
            """, new { id, status, error, exhausted = retryAt is null, retryAt = (retryAt ?? DateTimeOffset.UnixEpoch).UtcDateTime }, cancellationToken: ct));
    }

    /// <summary>The target is gone (410) or refused: it is disabled, and its pending deliveries are abandoned with the reason.</summary>
    public async Task<bool> DisableTargetAsync(Guid targetId, int? status, string reason, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var found = await connection.ExecuteAsync(new CommandDefinition(
            "update gateway_webhook_targets set enabled = false, disabled_reason = @reason, updated_at = @now where id = @targetId",
            new { targetId, reason, now = now.UtcDateTime }, tx, cancellationToken: ct));
        await connection.ExecuteAsync(new CommandDefinition(
            "update gateway_webhook_deliveries set status = 'abandoned', last_status = coalesce(@status, last_status), last_error = @reason where target_id = @targetId and status = 'pending'",
            new { targetId, status, reason }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return found == 1;
    }

    public async Task<IReadOnlyList<DeliveryRow>> ListAsync(string status, int limit, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return (await connection.QueryAsync<DeliveryRow>(new CommandDefinition(
            """
            select id, target_id as TargetId, source_message_id as SourceMessageId, event_type as EventType, status, attempts,
                   next_attempt_at as NextAttemptAt, last_status as LastStatus, last_error as LastError, created_at as CreatedAt, delivered_at as DeliveredAt
            from gateway_webhook_deliveries where status = @status order by created_at limit @limit
            """, new { status, limit }, cancellationToken: ct))).ToList();
    }

    public async Task<DeliveryRow?> GetAsync(Guid id, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<DeliveryRow>(new CommandDefinition(
            """
            select id, target_id as TargetId, source_message_id as SourceMessageId, event_type as EventType, status, attempts,
                   next_attempt_at as NextAttemptAt, last_status as LastStatus, last_error as LastError, created_at as CreatedAt, delivered_at as DeliveredAt
            from gateway_webhook_deliveries where id = @id
            """, new { id }, cancellationToken: ct));
    }

    /// <summary>An exhausted delivery tried again from its first attempt (same webhook-id); false when it is not exhausted or its target is disabled.</summary>
    public async Task<bool> ReplayAsync(Guid id, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return await connection.ExecuteAsync(new CommandDefinition(
            """
            update gateway_webhook_deliveries d set status = 'pending', attempts = 0, next_attempt_at = @now
            from gateway_webhook_targets t
            where d.id = @id and d.status = 'exhausted' and t.id = d.target_id and t.enabled
            """, new { id, now = now.UtcDateTime }, cancellationToken: ct)) == 1;
    }
}
