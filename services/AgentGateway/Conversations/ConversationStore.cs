using System.Text.Json;
using Dapper;
using Npgsql;
using Routing.AgentGateway.Events;
using Routing.Contracts;

namespace Routing.AgentGateway.Conversations;

/// <summary>
/// The gateway's view of conversations, kept from routing's events. Every change to a conversation first locks its
/// row (creating a placeholder if routing's events arrive out of order), so the events of one conversation are
/// applied one at a time, and an event older than the state it would change (state_at) changes nothing.
/// </summary>
internal sealed class ConversationStore(NpgsqlDataSource db)
{
    /// <summary>Locks the conversation's row, first creating it as waiting (with no agent) if no event of it was seen yet.</summary>
    public static async Task<ConversationView> LockAsync(NpgsqlConnection connection, NpgsqlTransaction tx, Guid id, Guid customerId,
        string channel, string channelAccount, DateTimeOffset now, CancellationToken ct) =>
        await connection.QuerySingleAsync<ConversationView>(new CommandDefinition(
            $"""
            insert into gateway_conversations (id, customer_id, status, channel, channel_account, state_at, updated_at)
            values (@id, @customerId, 'waiting', @channel, @channelAccount, '-infinity', @now)
            on conflict (id) do update set updated_at = gateway_conversations.updated_at
            returning {ConversationView.Columns}
            """, new { id, customerId, channel, channelAccount, now = now.UtcDateTime }, tx, cancellationToken: ct));

    public static Task<ConversationView> GetAsync(NpgsqlConnection connection, NpgsqlTransaction tx, Guid id, CancellationToken ct) =>
        connection.QuerySingleAsync<ConversationView>(new CommandDefinition(
            $"select {ConversationView.Columns} from gateway_conversations where id = @id", new { id }, tx, cancellationToken: ct));

    /// <summary>The conversation as assigned; null when it is closed or a later routing event already moved it on.</summary>
    public static Task<ConversationView?> AssignAsync(NpgsqlConnection connection, NpgsqlTransaction tx, ConversationAssigned m, ConversationContext context,
        DateTimeOffset now, CancellationToken ct) =>
        connection.QuerySingleOrDefaultAsync<ConversationView?>(new CommandDefinition(
            $"""
            update gateway_conversations
            set agent_id = @AgentId, status = case when @RequiresAccept then 'offered' else 'open' end, channel = @Channel,
                channel_account = @ChannelAccount, customer_display_name = @CustomerDisplayName, context = @context::jsonb,
                offer_expires_at = @offerExpiresAt, state_at = @assignedAt, assigned_at = @assignedAt, updated_at = @now
            where id = @ConversationId and status <> 'closed' and state_at <= @assignedAt
            returning {ConversationView.Columns}
            """, new
            {
                m.AgentId, m.RequiresAccept, m.Channel, m.ChannelAccount, m.CustomerDisplayName, m.ConversationId,
                context = JsonSerializer.Serialize(context, AgentEventLog.Json),
                offerExpiresAt = m.OfferExpiresAt?.UtcDateTime,
                assignedAt = m.AssignedAt.UtcDateTime,
                now = now.UtcDateTime,
            }, tx, cancellationToken: ct));

    /// <summary>The agent loses the conversation (if it still has it); the time moves on either way, so an older assignment arriving late is ignored.</summary>
    public static async Task<int> ReleaseAsync(NpgsqlConnection connection, NpgsqlTransaction tx, ConversationReleased m, DateTimeOffset now, CancellationToken ct)
    {
        var args = new { m.AgentId, m.ConversationId, releasedAt = m.ReleasedAt.UtcDateTime, now = now.UtcDateTime };
        var released = await connection.ExecuteAsync(new CommandDefinition(
            """
            update gateway_conversations
            set agent_id = null, status = 'waiting', offer_expires_at = null, state_at = @releasedAt, updated_at = @now
            where id = @ConversationId and agent_id = @AgentId and status in ('offered', 'open') and state_at <= @releasedAt
            """, args, tx, cancellationToken: ct));
        await connection.ExecuteAsync(new CommandDefinition(
            "update gateway_conversations set state_at = greatest(state_at, @releasedAt) where id = @ConversationId and status <> 'closed'",
            args, tx, cancellationToken: ct));
        return released;
    }

    public static Task<int> CloseAsync(NpgsqlConnection connection, NpgsqlTransaction tx, ConversationClosed m, DateTimeOffset now, CancellationToken ct) =>
        connection.ExecuteAsync(new CommandDefinition(
            """
            update gateway_conversations
            set status = 'closed', agent_id = coalesce(@AgentId, agent_id), offer_expires_at = null, closed_at = @closedAt,
                closed_by = @ClosedBy, close_reason = @Reason, state_at = greatest(state_at, @closedAt), updated_at = @now
            where id = @ConversationId and status <> 'closed'
            """, new { m.AgentId, m.ClosedBy, m.Reason, m.ConversationId, closedAt = m.ClosedAt.UtcDateTime, now = now.UtcDateTime }, tx, cancellationToken: ct));

    /// <summary>An accept the gateway forwarded: the offer is taken (routing ignores it if the offer already ended, and says so with ConversationReleased).</summary>
    public async Task AcceptedAsync(Guid id, string agentId, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            "update gateway_conversations set status = 'open', offer_expires_at = null, updated_at = @now where id = @id and agent_id = @agentId and status = 'offered'",
            new { id, agentId, now = now.UtcDateTime }, cancellationToken: ct));
    }

    public static Task<int> InsertInboundAsync(NpgsqlConnection connection, NpgsqlTransaction tx, Guid conversationId, Guid customerId,
        string channelAccount, ConversationMessage m, string? threadKey, string? providerMessageId, string? replyTo, CancellationToken ct) =>
        connection.ExecuteAsync(new CommandDefinition(
            """
            insert into gateway_messages (id, conversation_id, customer_id, direction, channel, channel_account, address_kind, address_value,
                display_name, thread_key, subject, body, attachments, provider_message_id, reply_to_provider_message_id, at)
            values (@MessageId, @conversationId, @customerId, 'in', @Channel, @channelAccount, @kind, @value, @displayName, @threadKey,
                @Subject, @Text, @attachments::jsonb, @providerMessageId, @replyTo, @at)
            on conflict (id) do update set
                channel_account = case when excluded.provider_message_id is null then gateway_messages.channel_account else excluded.channel_account end,
                provider_message_id = coalesce(gateway_messages.provider_message_id, excluded.provider_message_id),
                thread_key = coalesce(gateway_messages.thread_key, excluded.thread_key),
                reply_to_provider_message_id = coalesce(gateway_messages.reply_to_provider_message_id, excluded.reply_to_provider_message_id)
            """, new
            {
                m.MessageId, conversationId, customerId, m.Channel, channelAccount, kind = m.Sender.Kind, value = m.Sender.Value,
                displayName = m.Sender.DisplayName, threadKey, m.Subject, m.Text,
                attachments = JsonSerializer.Serialize(m.Attachments, AgentEventLog.Json), providerMessageId, replyTo, at = m.ReceivedAt.UtcDateTime,
            }, tx, cancellationToken: ct));

    public static async Task<IReadOnlyList<MessageView>> MessagesAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, Guid conversationId,
        int limit, CancellationToken ct) =>
        (await connection.QueryAsync<MessageView>(new CommandDefinition(
            $"""
            select * from (select {MessageView.Columns} from gateway_messages where conversation_id = @conversationId order by at desc, id desc limit @limit) m
            order by at, id
            """, new { conversationId, limit }, tx, cancellationToken: ct))).ToList();

    public static Task<MessageView> MessageAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, Guid id, CancellationToken ct) =>
        connection.QuerySingleAsync<MessageView>(new CommandDefinition(
            $"select {MessageView.Columns} from gateway_messages where id = @id", new { id }, tx, cancellationToken: ct));

    /// <summary>Marks the conversation's inbound messages as announced to the agent; returns the ids that were not yet.</summary>
    public static async Task<IReadOnlyList<Guid>> AnnounceAsync(NpgsqlConnection connection, NpgsqlTransaction tx, Guid conversationId, string agentId,
        Guid? messageId, CancellationToken ct) =>
        (await connection.QueryAsync<Guid>(new CommandDefinition(
            """
            update gateway_messages set announced_to = @agentId
            where conversation_id = @conversationId and direction = 'in' and announced_to is distinct from @agentId
              and (@one = false or id = @messageId)
            returning id
            """, new { conversationId, agentId, one = messageId is not null, messageId = messageId ?? Guid.Empty }, tx, cancellationToken: ct))).ToList();

    // ----- the agent API's reads: an agent sees only conversations it has (or had, once closed) -----

    /// <summary>A conversation whoever's it is (an emailed reply names the conversation before the agent is known).</summary>
    public async Task<ConversationView?> GetAsync(Guid id, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<ConversationView>(new CommandDefinition(
            $"select {ConversationView.Columns} from gateway_conversations where id = @id", new { id }, cancellationToken: ct));
    }

    /// <summary>How many of the customer's messages in the conversation were announced to the agent (delivered to its tools).</summary>
    public async Task<int> MessagesShownAsync(Guid id, string agentId, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return await connection.ExecuteScalarAsync<int>(new CommandDefinition(
            "select count(*) from gateway_messages where conversation_id = @id and direction = 'in' and announced_to = @agentId",
            new { id, agentId }, cancellationToken: ct));
    }

    public async Task<ConversationView?> GetForAgentAsync(Guid id, string agentId, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<ConversationView>(new CommandDefinition(
            $"select {ConversationView.Columns} from gateway_conversations where id = @id and agent_id = @agentId",
            new { id, agentId }, cancellationToken: ct));
    }

    public async Task<(ConversationView Conversation, JsonElement Context, IReadOnlyList<MessageView> Messages)?> DetailForAgentAsync(Guid id, string agentId,
        int messageLimit, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<ConversationWithContext>(new CommandDefinition(
            $"select {ConversationView.Columns}, context::text as ContextJson from gateway_conversations where id = @id and agent_id = @agentId",
            new { id, agentId }, cancellationToken: ct));
        if (row is null)
        {
            return null;
        }
        var messages = await MessagesAsync(connection, null, id, messageLimit, ct);
        return (row, JsonDocument.Parse(row.ContextJson).RootElement.Clone(), messages);
    }

    public async Task<IReadOnlyList<ConversationView>> ListForAgentAsync(string agentId, string[] statuses, int limit, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return (await connection.QueryAsync<ConversationView>(new CommandDefinition(
            $"""
            select {ConversationView.Columns} from gateway_conversations
            where agent_id = @agentId and status = any(@statuses) order by updated_at desc, id limit @limit
            """, new { agentId, statuses, limit }, cancellationToken: ct))).ToList();
    }

    private sealed class ConversationWithContext : ConversationView
    {
        public string ContextJson { get; init; } = "{}";
    }
}
