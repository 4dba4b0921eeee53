using System.Text.Json;
using Dapper;
using Npgsql;
using Routing.AgentGateway.Attachments;
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
            $"{Lock} returning {ConversationView.Columns}", new { id, customerId, channel, channelAccount, now = now.UtcDateTime }, tx, cancellationToken: ct));

    /// <summary>The conversation's row locked (created as waiting if none): parameters @id, @customerId, @channel, @channelAccount, @now.</summary>
    private const string Lock = """
        insert into gateway_conversations (id, customer_id, status, channel, channel_account, state_at, updated_at)
        values (@id, @customerId, 'waiting', @channel, @channelAccount, '-infinity', @now)
        on conflict (id) do update set updated_at = gateway_conversations.updated_at
        """;

    /// <summary>
    /// The assignment applied in one round trip: the conversation locked, the messages it carries stored, the conversation
    /// given to the agent with its inbound messages marked announced, and its latest messages read. Null when a later routing
    /// event already moved it on, such as its close (then nothing is announced); an assignment after the close is a reopening
    /// (an unmerge gives a conversation a merge closed back to its customer).
    /// </summary>
    public static async Task<(ConversationView Conversation, IReadOnlyList<MessageView> Messages)?> AssignAsync(NpgsqlConnection connection,
        NpgsqlTransaction tx, ConversationAssigned m, ConversationContext context, int messageLimit, DateTimeOffset now, CancellationToken ct)
    {
        // The account is only known for the conversation's own channel; MessageRouted fills in the rest.
        var carried = m.RecentMessages.DistinctBy(message => message.MessageId)
            .Select(message => new InboundMessage(message, message.Channel == m.Channel ? m.ChannelAccount : "", null, null, null)).ToList();
        await using var results = await connection.QueryMultipleAsync(new CommandDefinition(
            $"""
            {Lock};
            {InsertInbound};
            with assigned as (
                update gateway_conversations
                set agent_id = @agentId, status = case when @requiresAccept then 'offered' else 'open' end, channel = @channel,
                    replaced_agent_id = case when status in ('offered', 'open') and agent_id is distinct from @agentId then agent_id end,
                    channel_account = @channelAccount, customer_display_name = @displayName, context = @context::jsonb,
                    offer_expires_at = @offerExpiresAt, state_at = @assignedAt, assigned_at = @assignedAt, updated_at = @now,
                    closed_at = null, closed_by = null, close_reason = null
                where id = @id and state_at <= @assignedAt and (status <> 'closed' or closed_at < @assignedAt)
                returning {ConversationView.Columns}
            ), announced as (
                {Announce} and exists (select 1 from assigned)
            )
            select * from assigned;
            {LatestMessages}
            """, Parameters(new
            {
                id = m.ConversationId, customerId = m.CustomerId, channel = m.Channel, channelAccount = m.ChannelAccount, now = now.UtcDateTime,
                agentId = m.AgentId, requiresAccept = m.RequiresAccept, displayName = m.CustomerDisplayName,
                context = JsonSerializer.Serialize(context, AgentEventLog.Json),
                offerExpiresAt = m.OfferExpiresAt?.UtcDateTime,
                assignedAt = m.AssignedAt.UtcDateTime,
                limit = messageLimit,
            }, InboundParameters(carried)), tx, cancellationToken: ct));
        var conversation = await results.ReadSingleOrDefaultAsync<ConversationView>();
        var messages = (await results.ReadAsync<MessageView>()).ToList();
        return conversation is null ? null : (conversation, messages);
    }

    /// <summary>
    /// A routed message applied in one round trip: the conversation locked, the message stored (or its provider fields
    /// completed), and, when the conversation is offered to or open with <paramref name="agentId"/>, the message marked
    /// announced to that agent. Returns the message when it was announced now (not already, by the assignment).
    /// </summary>
    public static async Task<MessageView?> RouteAsync(NpgsqlConnection connection, NpgsqlTransaction tx, Guid conversationId, Guid customerId,
        string channel, InboundMessage message, string? agentId, DateTimeOffset now, CancellationToken ct)
    {
        await using var results = await connection.QueryMultipleAsync(new CommandDefinition(
            $"""
            {Lock};
            {InsertInbound};
            with announced as (
                {Announce} and id = @messageId
                  and exists (select 1 from gateway_conversations c where c.id = @id and c.agent_id = @agentId and c.status in ('offered', 'open'))
                returning id
            )
            select {MessageView.Columns} from gateway_messages where id = @messageId and exists (select 1 from announced);
            """, Parameters(new
            {
                id = conversationId, customerId, channel, channelAccount = message.ChannelAccount, now = now.UtcDateTime,
                agentId, messageId = message.Message.MessageId,
            }, InboundParameters([message])), tx, cancellationToken: ct));
        return await results.ReadSingleOrDefaultAsync<MessageView>();
    }

    /// <summary>
    /// The agent loses the conversation (if it still has it, or an assignment to another agent that routing made with the
    /// release was applied first); the time moves on either way, so an older assignment arriving late is ignored.
    /// </summary>
    public static async Task<int> ReleaseAsync(NpgsqlConnection connection, NpgsqlTransaction tx, ConversationReleased m, DateTimeOffset now, CancellationToken ct)
    {
        var args = new { m.AgentId, m.ConversationId, releasedAt = m.ReleasedAt.UtcDateTime, now = now.UtcDateTime };
        var released = await connection.ExecuteAsync(new CommandDefinition(
            """
            update gateway_conversations
            set agent_id = null, status = 'waiting', offer_expires_at = null, state_at = @releasedAt, updated_at = @now
            where id = @ConversationId and agent_id = @AgentId and status in ('offered', 'open') and state_at <= @releasedAt
            """, args, tx, cancellationToken: ct));
        released += await connection.ExecuteAsync(new CommandDefinition(
            """
            update gateway_conversations set replaced_agent_id = null
            where id = @ConversationId and replaced_agent_id = @AgentId and agent_id is distinct from @AgentId and state_at >= @releasedAt
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
            where id = @ConversationId and status <> 'closed' and state_at <= @closedAt
            """, new { m.AgentId, m.ClosedBy, m.Reason, m.ConversationId, closedAt = m.ClosedAt.UtcDateTime, now = now.UtcDateTime }, tx, cancellationToken: ct));

    /// <summary>
    /// A merge moved messages into the conversation @kept (now customer @survivor's): they move here too, and when the
    /// conversation is @agentId's, those not yet shown to the agent are marked shown and returned, to be announced.
    /// </summary>
    public static async Task<IReadOnlyList<MessageView>> MergeAsync(NpgsqlConnection connection, NpgsqlTransaction tx, CustomersMerged m, CancellationToken ct)
    {
        await connection.ExecuteAsync(new CommandDefinition(
            """
            update gateway_messages set conversation_id = @kept, customer_id = @survivor where id = any(@moved);
            update gateway_conversations set customer_id = @survivor where id = @kept;
            """, new { kept = m.KeptConversationId, survivor = m.SurvivorId, moved = m.MovedMessageIds.ToArray() }, tx, cancellationToken: ct));
        return m.AgentId is null ? [] : (await connection.QueryAsync<MessageView>(new CommandDefinition(
            $"""
            update gateway_messages set announced_to = @agentId
            where id = any(@moved) and direction = 'in' and announced_to is distinct from @agentId
              and exists (select 1 from gateway_conversations c where c.id = @kept and c.agent_id = @agentId and c.status in ('offered', 'open'))
            returning {MessageView.Columns}
            """, new { kept = m.KeptConversationId, agentId = m.AgentId, moved = m.MovedMessageIds.ToArray() }, tx, cancellationToken: ct)))
            .OrderBy(v => v.At).ThenBy(v => v.Id).ToList();
    }

    /// <summary>An unmerge: messages back in their conversations, conversations with their customers, reopened ones waiting for routing.</summary>
    public static Task UnmergeAsync(NpgsqlConnection connection, NpgsqlTransaction tx, CustomersUnmerged m, DateTimeOffset now, CancellationToken ct) =>
        connection.ExecuteAsync(new CommandDefinition(
            """
            update gateway_messages g set conversation_id = mv.conversation_id
            from unnest(@messageIds::uuid[], @messageConversations::uuid[]) as mv(id, conversation_id) where g.id = mv.id;
            update gateway_conversations c set customer_id = o.customer_id
            from unnest(@conversationIds::uuid[], @customerIds::uuid[]) as o(id, customer_id) where c.id = o.id;
            update gateway_conversations set status = 'waiting', agent_id = null, closed_at = null, closed_by = null, close_reason = null,
                state_at = @unmergedAt, updated_at = @now
            where id = any(@reopened) and status = 'closed' and state_at <= @unmergedAt;
            """, new
            {
                messageIds = m.MovedMessages.Select(v => v.MessageId).ToArray(),
                messageConversations = m.MovedMessages.Select(v => v.ConversationId).ToArray(),
                conversationIds = m.Conversations.Select(c => c.ConversationId).ToArray(),
                customerIds = m.Conversations.Select(c => c.CustomerId).ToArray(),
                reopened = m.ReopenedConversationIds.ToArray(),
                unmergedAt = m.UnmergedAt.UtcDateTime,
                now = now.UtcDateTime,
            }, tx, cancellationToken: ct));

    /// <summary>An accept the gateway forwarded: the offer is taken (routing ignores it if the offer already ended, and says so with ConversationReleased).</summary>
    public async Task AcceptedAsync(Guid id, string agentId, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            "update gateway_conversations set status = 'open', offer_expires_at = null, updated_at = @now where id = @id and agent_id = @agentId and status = 'offered'",
            new { id, agentId, now = now.UtcDateTime }, cancellationToken: ct));
    }

    /// <summary>
    /// Stores customer messages of the conversation @id (customer @customerId) given as parallel arrays; a message already
    /// stored (the assignment and MessageRouted both carry it) keeps its row and gains the provider's fields.
    /// </summary>
    private const string InsertInbound = $"""
        insert into gateway_messages (id, conversation_id, customer_id, direction, channel, channel_account, address_kind, address_value,
            display_name, thread_key, subject, body, attachments, provider_message_id, reply_to_provider_message_id, at, visibility, post)
        select m.id, @id, @customerId, 'in', m.channel, m.account, m.kind, m.value, m.name, m.thread, m.subject, m.body, m.attachments::jsonb,
            m.provider, m.reply_to, m.at, m.visibility, m.post::jsonb
        from unnest(@messageIds, @messageChannels, @messageAccounts, @senderKinds, @senderValues, @senderNames, @threadKeys, @subjects, @bodies,
            @attachments, @providerIds, @replyTos, @receivedAts, @visibilities, @posts)
            as m(id, channel, account, kind, value, name, thread, subject, body, attachments, provider, reply_to, at, visibility, post)
        on conflict (id) do update set
            channel_account = case when excluded.provider_message_id is null then gateway_messages.channel_account else excluded.channel_account end,
            provider_message_id = coalesce(gateway_messages.provider_message_id, excluded.provider_message_id),
            thread_key = coalesce(gateway_messages.thread_key, excluded.thread_key),
            reply_to_provider_message_id = coalesce(gateway_messages.reply_to_provider_message_id, excluded.reply_to_provider_message_id);
        {AttachmentStore.Register}
        """;

    private static object InboundParameters(IReadOnlyList<InboundMessage> messages)
    {
        var rows = AttachmentStore.Rows(messages.Select(m => m.Message));
        return new
        {
            messageIds = messages.Select(m => m.Message.MessageId).ToArray(),
            messageChannels = messages.Select(m => m.Message.Channel).ToArray(),
            messageAccounts = messages.Select(m => m.ChannelAccount).ToArray(),
            senderKinds = messages.Select(m => m.Message.Sender.Kind).ToArray(),
            senderValues = messages.Select(m => m.Message.Sender.Value).ToArray(),
            senderNames = messages.Select(m => m.Message.Sender.DisplayName).ToArray(),
            threadKeys = messages.Select(m => m.ThreadKey).ToArray(),
            subjects = messages.Select(m => m.Message.Subject).ToArray(),
            bodies = messages.Select(m => m.Message.Text).ToArray(),
            // agents see each attachment as the gateway's link; the provider's reference stays in gateway_attachments
            attachments = messages.Select(m => JsonSerializer.Serialize(AttachmentIds.Exposed(m.Message.Attachments, m.Message.MessageId), AgentEventLog.Json)).ToArray(),
            attachmentIds = rows.Select(r => r.Id).ToArray(),
            attachmentMessages = rows.Select(r => r.MessageId).ToArray(),
            attachmentPositions = rows.Select(r => r.Position).ToArray(),
            attachmentChannels = rows.Select(r => r.Channel).ToArray(),
            attachmentSources = rows.Select(r => r.Source).ToArray(),
            attachmentTypes = rows.Select(r => r.ContentType).ToArray(),
            attachmentNames = rows.Select(r => r.FileName).ToArray(),
            attachmentSizes = rows.Select(r => r.SizeBytes).ToArray(),
            providerIds = messages.Select(m => m.ProviderMessageId).ToArray(),
            replyTos = messages.Select(m => m.ReplyToProviderMessageId).ToArray(),
            receivedAts = messages.Select(m => m.Message.ReceivedAt.UtcDateTime).ToArray(),
            visibilities = messages.Select(m => m.Message.Visibility).ToArray(),
            posts = messages.Select(m => m.Message.Post is null ? null : JsonSerializer.Serialize(m.Message.Post, AgentEventLog.Json)).ToArray(),
        };
    }

    private static DynamicParameters Parameters(object statement, object messages)
    {
        var parameters = new DynamicParameters(statement);
        parameters.AddDynamicParams(messages);
        return parameters;
    }

    /// <summary>Marks the conversation @id's inbound messages announced to @agentId, where not yet; a statement to complete with further conditions.</summary>
    private const string Announce = """
        update gateway_messages set announced_to = @agentId
        where conversation_id = @id and direction = 'in' and announced_to is distinct from @agentId
        """;

    /// <summary>The conversation @id's latest @limit messages, oldest first.</summary>
    private const string LatestMessages = $"""
        select * from (select {MessageView.Columns} from gateway_messages where conversation_id = @id order by at desc, id desc limit @limit) m
        order by at, id
        """;

    public static async Task<IReadOnlyList<MessageView>> MessagesAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, Guid conversationId,
        int limit, CancellationToken ct) =>
        (await connection.QueryAsync<MessageView>(new CommandDefinition(LatestMessages, new { id = conversationId, limit }, tx, cancellationToken: ct))).ToList();

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

/// <summary>A customer message to store, with the channel account it came to and the provider's fields MessageRouted carries.</summary>
internal sealed record InboundMessage(ConversationMessage Message, string ChannelAccount, string? ThreadKey, string? ProviderMessageId,
    string? ReplyToProviderMessageId);
