using Dapper;
using Npgsql;
using Routing.AgentGateway.Events;

namespace Routing.AgentGateway.Delivery;

/// <summary>A delivery claimed for one attempt, with its target.</summary>
internal sealed record ClaimedDelivery(Guid Id, Guid TargetId, string EventType, byte[] Body, int Attempts, string Kind, string AgentId,
    Guid? ConversationId, string? Url, byte[]? SecretCiphertext, string? Address, string? SlackUserId);

/// <summary>A target as the admin API lists it (never its secret).</summary>
internal sealed record TargetRow(Guid Id, string AgentId, string Kind, string? Url, string? Address, string? SlackUserId, bool Enabled,
    string? DisabledReason, DateTime CreatedAt);

/// <summary>A place in a tool: a Slack channel and message ts, or a mailbox and Message-ID.</summary>
internal sealed record ThreadRef(string Channel, string ThreadId, string? Subject);

/// <summary>Whose thread it is: the target it was opened for, and the conversation.</summary>
internal sealed record ThreadOwner(Guid TargetId, Guid ConversationId);

/// <summary>The kinds of agents' tools a target is.</summary>
internal static class TargetKinds
{
    public const string Webhook = "webhook";
    public const string Slack = "slack";
    public const string Email = "email";
}

/// <summary>A delivery as the admin API lists it.</summary>
internal sealed record DeliveryRow(Guid Id, Guid TargetId, Guid SourceMessageId, string EventType, string Status, int Attempts,
    DateTime NextAttemptAt, int? LastStatus, string? LastError, DateTime CreatedAt, DateTime? DeliveredAt);

/// <summary>
/// Agents' targets (webhook, Slack, email) and the deliveries to them, in PostgreSQL. Replicas claim due deliveries
/// with FOR UPDATE SKIP LOCKED and push their next attempt a lease ahead, so a replica that dies mid-attempt leaves
/// the delivery to another. Slack and email deliveries of one conversation are claimed one at a time, in order: a
/// thread is opened before anything is written into it.
/// </summary>
internal sealed class DeliveryStore(NpgsqlDataSource db)
{
    /// <summary>The thread a conversation opened in a target (Slack: channel and ts; email: mailbox and Message-ID), if any yet.</summary>
    public async Task<ThreadRef?> ThreadAsync(Guid targetId, Guid conversationId, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<ThreadRef>(new CommandDefinition(
            "select channel, thread_id as ThreadId, subject from gateway_threads where target_id = @targetId and conversation_id = @conversationId",
            new { targetId, conversationId }, cancellationToken: ct));
    }

    public async Task AddThreadAsync(Guid targetId, Guid conversationId, string channel, string threadId, CancellationToken ct, string? subject = null)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            insert into gateway_threads (target_id, conversation_id, channel, thread_id, subject) values (@targetId, @conversationId, @channel, @threadId, @subject)
            on conflict do nothing
            """, new { targetId, conversationId, channel, threadId, subject }, cancellationToken: ct));
    }

    /// <summary>The conversation and target a thread belongs to (a Slack thread reply, an email reply's thread).</summary>
    public async Task<ThreadOwner?> ThreadOwnerAsync(string channel, string threadId, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<ThreadOwner>(new CommandDefinition(
            "select target_id as TargetId, conversation_id as ConversationId from gateway_threads where channel = @channel and thread_id = @threadId",
            new { channel, threadId }, cancellationToken: ct));
    }

    /// <summary>Where an agent's reply was written in a tool, so its statuses are shown on it.</summary>
    public async Task AddToolReplyAsync(Guid replyId, Guid targetId, string channel, string messageRef, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            "insert into gateway_tool_replies (reply_id, target_id, channel, message_ref) values (@replyId, @targetId, @channel, @messageRef) on conflict do nothing",
            new { replyId, targetId, channel, messageRef }, cancellationToken: ct));
    }

    public async Task<ThreadRef?> ToolReplyAsync(Guid replyId, Guid targetId, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<ThreadRef>(new CommandDefinition(
            "select channel, message_ref as ThreadId, null::text as subject from gateway_tool_replies where reply_id = @replyId and target_id = @targetId",
            new { replyId, targetId }, cancellationToken: ct));
    }

    public Task<Guid> AddTargetAsync(string agentId, string url, byte[] secretCiphertext, CancellationToken ct) =>
        AddAsync(agentId, TargetKinds.Webhook, url, secretCiphertext, null, null, ct);

    public Task<Guid> AddSlackTargetAsync(string agentId, string channel, string slackUserId, CancellationToken ct) =>
        AddAsync(agentId, TargetKinds.Slack, null, null, channel, slackUserId, ct);

    public Task<Guid> AddEmailTargetAsync(string agentId, string mailbox, CancellationToken ct) =>
        AddAsync(agentId, TargetKinds.Email, null, null, mailbox, null, ct);

    private async Task<Guid> AddAsync(string agentId, string kind, string? url, byte[]? secretCiphertext, string? address, string? slackUserId,
        CancellationToken ct)
    {
        var id = Guid.CreateVersion7();
        await using var connection = await db.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            insert into gateway_targets (id, agent_id, kind, url, secret_ciphertext, address, slack_user_id)
            values (@id, @agentId, @kind, @url, @secretCiphertext, @address, @slackUserId)
            """, new { id, agentId, kind, url, secretCiphertext, address, slackUserId }, cancellationToken: ct));
        return id;
    }

    public async Task<IReadOnlyList<TargetRow>> TargetsAsync(string agentId, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return (await connection.QueryAsync<TargetRow>(new CommandDefinition(
            """
            select id, agent_id as AgentId, kind, url, address, slack_user_id as SlackUserId, enabled, disabled_reason as DisabledReason,
                   created_at as CreatedAt
            from gateway_targets where agent_id = @agentId order by created_at
            """, new { agentId }, cancellationToken: ct))).ToList();
    }

    public async Task<TargetRow?> TargetAsync(Guid id, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<TargetRow>(new CommandDefinition(
            """
            select id, agent_id as AgentId, kind, url, address, slack_user_id as SlackUserId, enabled, disabled_reason as DisabledReason,
                   created_at as CreatedAt
            from gateway_targets where id = @id
            """, new { id }, cancellationToken: ct));
    }

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
            insert into gateway_deliveries (id, target_id, source_message_id, event_type, body, status, next_attempt_at, conversation_id)
            select gen_random_uuid(), t.id, @sourceId, @type, @body, 'pending', @now, @conversationId
            from gateway_targets t where t.id = @targetId and t.enabled
            on conflict (source_message_id, target_id) do nothing
            """, new { targetId, sourceId, type = EventTypes.Notice, body, conversationId, now = now.UtcDateTime }, cancellationToken: ct));
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
                      d.conversation_id as ConversationId, t.url, t.secret_ciphertext as SecretCiphertext, t.address, t.slack_user_id as SlackUserId
            """, new { batch, now = now.UtcDateTime, leaseUntil = (now + lease).UtcDateTime }, cancellationToken: ct))).ToList();
    }

    public async Task DeliveredAsync(Guid id, int status, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            "update gateway_deliveries set status = 'delivered', last_status = @status, last_error = null, delivered_at = @now where id = @id",
            new { id, status, now = now.UtcDateTime }, cancellationToken: ct));
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

    /// <summary>The target is gone (410) or refused: it is disabled, and its pending deliveries are abandoned with the reason.</summary>
    public async Task<bool> DisableTargetAsync(Guid targetId, int? status, string reason, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var found = await connection.ExecuteAsync(new CommandDefinition(
            "update gateway_targets set enabled = false, disabled_reason = @reason, updated_at = @now where id = @targetId",
            new { targetId, reason, now = now.UtcDateTime }, tx, cancellationToken: ct));
        await connection.ExecuteAsync(new CommandDefinition(
            "update gateway_deliveries set status = 'abandoned', last_status = coalesce(@status, last_status), last_error = @reason where target_id = @targetId and status = 'pending'",
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
