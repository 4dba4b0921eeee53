using Dapper;
using Routing.Contracts;
using Routing.Database;
using Routing.Policy;
using System.Text.Json;

namespace Routing.Conversations;

/// <summary>Conversations, their messages and their routing receipts. Every method runs inside the caller's transaction.</summary>
internal static class ConversationStore
{
    private const string Columns =
        "id, customer_id, channel, channel_account, thread_key, status, agent_id, priority, held_for, hold_until, excluded_agents, " +
        "offer_expires_at, accepted_at, created_at, waiting_since, assigned_at, closed_at, closed_by, close_reason, last_message_at";

    public static Task<ConversationRow?> GetAsync(RoutingTransaction tx, Guid id, CancellationToken ct, bool forUpdate = false) =>
        tx.Connection.QuerySingleOrDefaultAsync<ConversationRow>(tx.Command(
            $"select {Columns} from conversations where id = @id{(forUpdate ? " for update" : "")}", new { id }, ct));

    public static async Task<IReadOnlyList<ConversationRow>> OpenForAgentAsync(RoutingTransaction tx, string agentId, CancellationToken ct) =>
        (await tx.Connection.QueryAsync<ConversationRow>(tx.Command(
            $"select {Columns} from conversations where agent_id = @agentId and status = 'open' order by assigned_at, id for update", new { agentId }, ct))).ToList();

    public static async Task<IReadOnlyList<ConversationRow>> ListAsync(RoutingTransaction tx, Guid? customerId, string? status, int limit, CancellationToken ct) =>
        (await tx.Connection.QueryAsync<ConversationRow>(tx.Command(
            $"""
            select {Columns} from conversations
            where (@customerId::uuid is null or customer_id = @customerId) and (@status::text is null or status = @status)
            order by created_at desc, id limit @limit
            """, new { customerId, status, limit }, ct))).ToList();

    /// <summary>The waiting queue in the order it is served: priority, then arrival.</summary>
    public static async Task<IReadOnlyList<ConversationRow>> QueueAsync(RoutingTransaction tx, int limit, CancellationToken ct) =>
        (await tx.Connection.QueryAsync<ConversationRow>(tx.Command(
            $"select {Columns} from conversations where status = 'queued' order by priority desc, waiting_since, id limit @limit", new { limit }, ct))).ToList();

    public static Task<int> CountAsync(RoutingTransaction tx, string status, CancellationToken ct) =>
        tx.Connection.ExecuteScalarAsync<int>(tx.Command("select count(*) from conversations where status = @status", new { status }, ct));

    public static Task InsertAsync(RoutingTransaction tx, ConversationRow c, CancellationToken ct) =>
        tx.Connection.ExecuteAsync(tx.Command(
            """
            insert into conversations (id, customer_id, channel, channel_account, thread_key, status, priority, created_at, waiting_since, last_message_at)
            values (@Id, @CustomerId, @Channel, @ChannelAccount, @ThreadKey, @Status, @Priority, @CreatedAt, @WaitingSince, @LastMessageAt)
            """, c, ct));

    /// <summary>
    /// One round trip for an inbound message of a locked customer: whether it was seen before, and the
    /// customer's conversation that is not closed (locked) with its agent's presence for the grace check.
    /// </summary>
    public static async Task<(bool Duplicate, ConversationRow? Open, Agents.AgentRow? Agent)> InboundContextAsync(
        RoutingTransaction tx, Guid messageId, Guid customerId, CancellationToken ct)
    {
        using var results = await tx.Connection.QueryMultipleAsync(tx.Command(
            $"""
            select exists (select 1 from messages where id = @messageId);
            select {Columns} from conversations where customer_id = @customerId and status <> 'closed' for update;
            select {Agents.AgentStore.ColumnsOfA}
            from conversations c join agents a on a.id = c.agent_id
            where c.customer_id = @customerId and c.status = 'open';
            """, new { messageId, customerId }, ct));
        var duplicate = await results.ReadSingleAsync<bool>();
        var open = await results.ReadSingleOrDefaultAsync<ConversationRow>();
        var agent = await results.ReadSingleOrDefaultAsync<Agents.AgentRow>();
        return (duplicate, open, agent);
    }

    public static Task InsertMessageAsync(RoutingTransaction tx, Guid conversationId, Guid customerId, InboundMessageReceived m, string senderKind, string senderValue, CancellationToken ct) =>
        tx.Connection.ExecuteAsync(tx.Command(
            """
            insert into messages (id, conversation_id, customer_id, channel, channel_account, provider_message_id, sender_kind, sender_value,
                sender_display_name, thread_key, subject, body, attachments, reply_to_provider_message_id, provider_timestamp, received_at, routed_at)
            values (@MessageId, @conversationId, @customerId, @Channel, @ChannelAccount, @ProviderMessageId, @senderKind, @senderValue,
                @displayName, @ThreadKey, @Subject, @Text, @attachments::jsonb, @ReplyToProviderMessageId, @ProviderTimestamp, @ReceivedAt, @now);
            update conversations set last_message_at = greatest(last_message_at, @now) where id = @conversationId;
            """,
            new
            {
                m.MessageId, conversationId, customerId, m.Channel, m.ChannelAccount, m.ProviderMessageId, senderKind, senderValue,
                displayName = m.Sender.DisplayName, m.ThreadKey, m.Subject, m.Text,
                attachments = JsonSerializer.Serialize(m.Attachments, Outbox.ContractTypes.Json),
                m.ReplyToProviderMessageId, m.ProviderTimestamp, m.ReceivedAt, now = tx.Now,
            }, ct));

    /// <summary>The latest customer messages of a conversation, oldest first.</summary>
    public static async Task<IReadOnlyList<ConversationMessage>> RecentMessagesAsync(RoutingTransaction tx, Guid conversationId, int limit, CancellationToken ct)
    {
        var rows = await tx.Connection.QueryAsync<(Guid Id, string Channel, string SenderKind, string SenderValue, string? SenderDisplayName, string? Subject, string? Body, string Attachments, DateTime ReceivedAt)>(tx.Command(
            """
            select * from (
                select id, channel, sender_kind, sender_value, sender_display_name, subject, body, attachments::text, received_at
                from messages where conversation_id = @conversationId order by received_at desc, id desc limit @limit
            ) m order by received_at, id
            """, new { conversationId, limit }, ct));
        return rows.Select(r => new ConversationMessage
        {
            MessageId = r.Id,
            Channel = r.Channel,
            Sender = new CustomerAddress { Kind = r.SenderKind, Value = r.SenderValue, DisplayName = r.SenderDisplayName },
            Subject = r.Subject,
            Text = r.Body,
            Attachments = JsonSerializer.Deserialize<List<MessageAttachment>>(r.Attachments, Outbox.ContractTypes.Json) ?? [],
            ReceivedAt = Agents.AgentRow.Utc(r.ReceivedAt),
        }).ToList();
    }

    public static Task MarkAssignedAsync(RoutingTransaction tx, Guid id, string agentId, DateTimeOffset? offerExpiresAt, CancellationToken ct) =>
        tx.Connection.ExecuteAsync(tx.Command(
            """
            update conversations set status = 'open', agent_id = @agentId, assigned_at = @now, offer_expires_at = @offerExpiresAt,
                accepted_at = case when @offerExpiresAt::timestamptz is null then @now end, held_for = '{}'
            where id = @id
            """, new { id, agentId, offerExpiresAt, now = tx.Now }, ct));

    public static Task MarkHeldAsync(RoutingTransaction tx, Guid id, string[] heldFor, DateTimeOffset holdUntil, CancellationToken ct) =>
        tx.Connection.ExecuteAsync(tx.Command(
            """
            update conversations set status = 'held', agent_id = null, held_for = @heldFor, hold_until = @holdUntil,
                waiting_since = coalesce(waiting_since, @now)
            where id = @id
            """, new { id, heldFor, holdUntil, now = tx.Now }, ct));

    public static Task MarkQueuedAsync(RoutingTransaction tx, Guid id, CancellationToken ct) =>
        tx.Connection.ExecuteAsync(tx.Command(
            "update conversations set status = 'queued', agent_id = null, held_for = '{}', waiting_since = coalesce(waiting_since, @now) where id = @id",
            new { id, now = tx.Now }, ct));

    /// <summary>Takes the conversation from its agent; the caller routes it again straight after, in the same transaction.</summary>
    public static Task MarkReleasedAsync(RoutingTransaction tx, Guid id, string? excludeAgent, CancellationToken ct) =>
        tx.Connection.ExecuteAsync(tx.Command(
            """
            update conversations set status = 'queued', agent_id = null, offer_expires_at = null, accepted_at = null, assigned_at = null,
                waiting_since = @now,
                excluded_agents = case when @excludeAgent::text is null then excluded_agents else array_append(excluded_agents, @excludeAgent) end
            where id = @id
            """, new { id, excludeAgent, now = tx.Now }, ct));

    public static Task MarkAcceptedAsync(RoutingTransaction tx, Guid id, CancellationToken ct) =>
        tx.Connection.ExecuteAsync(tx.Command(
            "update conversations set accepted_at = @now, offer_expires_at = null where id = @id", new { id, now = tx.Now }, ct));

    public static Task MarkClosedAsync(RoutingTransaction tx, Guid id, string closedBy, string? reason, CancellationToken ct) =>
        tx.Connection.ExecuteAsync(tx.Command(
            """
            update conversations set status = 'closed', closed_at = @now, closed_by = @closedBy, close_reason = @reason, held_for = '{}'
            where id = @id
            """, new { id, closedBy, reason, now = tx.Now }, ct));

    /// <summary>The next conversation a freed slot of this agent serves: one held for the agent first, then the oldest waiting one.</summary>
    public static async Task<ConversationRow?> NextForAgentAsync(RoutingTransaction tx, string agentId, string[] channels, CancellationToken ct)
    {
        var held = await tx.Connection.QuerySingleOrDefaultAsync<ConversationRow>(tx.Command(
            $"""
            select {Columns} from conversations
            where status = 'held' and held_for @> array[@agentId]::text[] and channel = any(@channels) and @agentId <> all(excluded_agents)
            order by waiting_since, id limit 1 for update skip locked
            """, new { agentId, channels }, ct));
        return held ?? await tx.Connection.QuerySingleOrDefaultAsync<ConversationRow>(tx.Command(
            $"""
            select {Columns} from conversations
            where status = 'queued' and channel = any(@channels) and @agentId <> all(excluded_agents)
            order by priority desc, waiting_since, id limit 1 for update skip locked
            """, new { agentId, channels }, ct));
    }

    public static Task InsertDecisionAsync(RoutingTransaction tx, Guid decisionId, Guid conversationId, string trigger, string outcome, string reason,
        string? agentId, IReadOnlyList<CandidateVerdict> candidates, int considered, CancellationToken ct) =>
        tx.Connection.ExecuteAsync(tx.Command(
            """
            insert into decisions (id, conversation_id, at, trigger, outcome, reason, agent_id, candidates, candidates_considered)
            values (@decisionId, @conversationId, @now, @trigger, @outcome, @reason, @agentId, @candidates::jsonb, @considered)
            """,
            new { decisionId, conversationId, now = tx.Now, trigger, outcome, reason, agentId, candidates = JsonSerializer.Serialize(candidates, Outbox.ContractTypes.Json), considered },
            ct));

    public static async Task<IReadOnlyList<DecisionRow>> DecisionsAsync(RoutingTransaction tx, Guid conversationId, CancellationToken ct) =>
        (await tx.Connection.QueryAsync<DecisionRow>(tx.Command(
            "select id, conversation_id, at, trigger, outcome, reason, agent_id, candidates::text as candidates, candidates_considered from decisions where conversation_id = @conversationId order by seq",
            new { conversationId }, ct))).ToList();
}
