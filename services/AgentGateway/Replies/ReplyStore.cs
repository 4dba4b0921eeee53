using Routing.AgentGateway.Events;
using Dapper;
using Npgsql;
using Routing.Contracts;

namespace Routing.AgentGateway.Replies;

/// <summary>Where a reply on a channel goes: the account the customer wrote to, the customer's address there, and what to thread it under.</summary>
/// <param name="Visibility">The visibility of the customer's message the target is taken from (private where it is no message).</param>
internal sealed record ReplyTarget(string ChannelAccount, string AddressKind, string AddressValue, string? DisplayName, string? ThreadKey,
    string? Subject, string? ReplyToProviderMessageId, DateTime? CustomerLastMessageAt, string Visibility = MessageVisibility.Private);

/// <summary>A reply whose status changed, for the agent's event.</summary>
internal sealed record ReplyChange(Guid Id, Guid ConversationId, string AgentId, string Channel, string Status, string? ProviderMessageId,
    string? ErrorCode, string? ErrorMessage, DateTime StatusAt);

/// <summary>
/// Agents' replies and how far each got. Statuses only move forward (requested, unknown, sent, delivered, read); failed
/// replaces requested, unknown or sent. Unknown: the provider got the request and gave no clear answer; its status
/// callbacks may still say sent, delivered or failed. A status that arrives before the adapter said which reply its provider id is waits
/// in gateway_pending_statuses.
/// </summary>
internal static class ReplyStore
{
    /// <summary>The error code of a reply whose publish to the adapter's queue the broker never confirmed.</summary>
    public const string PublishUnconfirmed = "publish-unconfirmed";

    /// <summary>The error code of a reply being published now: a request repeated meanwhile cannot know yet whether it went.</summary>
    public const string Publishing = "publishing";

    private const string Changed = """
        returning id, conversation_id as ConversationId, agent_id as AgentId, channel, status, provider_message_id as ProviderMessageId,
                  error_code as ErrorCode, error_message as ErrorMessage, status_at as StatusAt
        """;

    /// <summary>The status may replace the current one: forward only, and failed only before delivery.</summary>
    private const string Advances = """
        (case when @status = 'failed' then status in ('requested', 'unknown', 'sent')
              else coalesce(array_position(array['requested', 'unknown', 'sent', 'delivered', 'read'], status), 0)
                   < array_position(array['requested', 'unknown', 'sent', 'delivered', 'read'], @status::text) end)
        """;

    /// <summary>The customer's latest message on the channel, in this conversation first, else in any of the customer's conversations.</summary>
    public static async Task<ReplyTarget?> LatestInboundAsync(NpgsqlConnection connection, Guid conversationId, Guid customerId, string channel, CancellationToken ct,
        string? visibility = null) =>
        await connection.QuerySingleOrDefaultAsync<ReplyTarget>(new CommandDefinition(
            """
            select channel_account as ChannelAccount, address_kind as AddressKind, address_value as AddressValue, display_name as DisplayName,
                   thread_key as ThreadKey, subject, provider_message_id as ReplyToProviderMessageId, at as CustomerLastMessageAt, visibility
            from gateway_messages
            where customer_id = @customerId and direction = 'in' and channel = @channel and channel_account <> ''
              and (@visibility::text is null or visibility = @visibility)
            order by (conversation_id = @conversationId) desc, at desc limit 1
            """, new { conversationId, customerId, channel, visibility }, cancellationToken: ct));

    /// <summary>The channel the customer last wrote on in the conversation (a conversation follows the customer across channels).</summary>
    public static Task<string?> LastChannelAsync(NpgsqlConnection connection, Guid conversationId, CancellationToken ct) =>
        connection.QuerySingleOrDefaultAsync<string?>(new CommandDefinition(
            "select channel from gateway_messages where conversation_id = @conversationId and direction = 'in' and channel_account <> '' order by at desc limit 1",
            new { conversationId }, cancellationToken: ct));

    /// <summary>Records the reply as requested (public: posted for everyone); false when this command id was recorded before (a retried request).</summary>
    public static async Task<bool> InsertAsync(NpgsqlConnection connection, Guid id, ConversationView conversation, string agentId, string channel,
        ReplyTarget target, string text, Guid[] attachmentIds, string attachmentsJson, DateTimeOffset now, CancellationToken ct, string visibility = MessageVisibility.Private,
        string? privateReplyTo = null) =>
        await connection.ExecuteAsync(new CommandDefinition(
            $"""
            insert into gateway_messages (id, conversation_id, customer_id, direction, channel, channel_account, address_kind, address_value,
                display_name, thread_key, subject, body, reply_to_provider_message_id, agent_id, status, error_code, at, status_at, attachment_ids, attachments,
                visibility, private_reply_to)
            values (@id, @conversationId, @customerId, 'out', @channel, @ChannelAccount, @AddressKind, @AddressValue, @DisplayName, @ThreadKey,
                @Subject, @text, @ReplyToProviderMessageId, @agentId, 'requested', '{Publishing}', @now, @now, @attachmentIds, @attachmentsJson::jsonb,
                @visibility, @privateReplyTo)
            on conflict (id) do nothing
            """, new
            {
                id, conversationId = conversation.Id, customerId = conversation.CustomerId, channel, target.ChannelAccount, target.AddressKind,
                target.AddressValue, target.DisplayName, target.ThreadKey, target.Subject, text, target.ReplyToProviderMessageId, agentId,
                now = now.UtcDateTime, attachmentIds, attachmentsJson, visibility, privateReplyTo,
            }, cancellationToken: ct)) == 1;

    /// <summary>
    /// Whether another reply (not this command id, not failed) answered the public message privately: a retried request is
    /// the same reply, and one the provider refused or that never went leaves the private reply still to be made.
    /// </summary>
    public static Task<bool> AnsweredPrivatelyAsync(NpgsqlConnection connection, Guid id, string channel, string privateReplyTo, CancellationToken ct) =>
        connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            """
            select exists (select 1 from gateway_messages
                           where channel = @channel and private_reply_to = @privateReplyTo and direction = 'out' and id <> @id and status <> 'failed')
            """, new { id, channel, privateReplyTo }, cancellationToken: ct));

    /// <summary>Whether the recorded reply is the one asked for again (same conversation, channel, text and files).</summary>
    public static Task<bool> SameAsync(NpgsqlConnection connection, Guid id, Guid conversationId, string channel, string text, Guid[] attachmentIds,
        CancellationToken ct) =>
        connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            """
            select exists (select 1 from gateway_messages
                           where id = @id and direction = 'out' and conversation_id = @conversationId and channel = @channel and body = @text
                             and attachment_ids = @attachmentIds)
            """, new { id, conversationId, channel, text, attachmentIds }, cancellationToken: ct));

    /// <summary>The broker confirmed the reply's publish: it is on the adapter's queue.</summary>
    public static Task PublishedAsync(NpgsqlConnection connection, Guid id, CancellationToken ct) =>
        connection.ExecuteAsync(new CommandDefinition(
            $"update gateway_messages set error_code = null where id = @id and direction = 'out' and error_code = '{Publishing}'",
            new { id }, cancellationToken: ct));

    /// <summary>The reply's publish was not confirmed: it may be on the adapter's queue or not.</summary>
    public static Task MarkUnconfirmedAsync(NpgsqlConnection connection, Guid id, CancellationToken ct) =>
        connection.ExecuteAsync(new CommandDefinition(
            $"update gateway_messages set error_code = '{PublishUnconfirmed}' where id = @id and direction = 'out' and status = 'requested' and error_code = '{Publishing}'",
            new { id }, cancellationToken: ct));

    /// <summary>
    /// Takes an unconfirmed reply for publishing again; true for the one request that does. A publish still marked under
    /// way since before <paramref name="staleBefore"/> is one whose process died or lost its database: taken too.
    /// </summary>
    public static async Task<bool> ClaimUnconfirmedAsync(NpgsqlConnection connection, Guid id, DateTimeOffset staleBefore, CancellationToken ct) =>
        await connection.ExecuteAsync(new CommandDefinition(
            $"""
            update gateway_messages set error_code = '{Publishing}', status_at = now()
            where id = @id and direction = 'out' and status = 'requested'
              and (error_code = '{PublishUnconfirmed}' or (error_code = '{Publishing}' and status_at < @staleBefore))
            """, new { id, staleBefore = staleBefore.UtcDateTime }, cancellationToken: ct)) == 1;

    /// <summary>Whether another request is publishing this reply right now.</summary>
    public static Task<bool> PublishingAsync(NpgsqlConnection connection, Guid id, CancellationToken ct) =>
        connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            $"select exists (select 1 from gateway_messages where id = @id and direction = 'out' and status = 'requested' and error_code = '{Publishing}')",
            new { id }, cancellationToken: ct));

    /// <summary>The adapter sent the reply: its provider id is recorded, and statuses that came before it are applied.</summary>
    public static async Task<IReadOnlyList<ReplyChange>> SentAsync(NpgsqlConnection connection, NpgsqlTransaction tx, Guid id, string providerMessageId,
        DateTimeOffset at, CancellationToken ct)
    {
        var changes = (await connection.QueryAsync<ReplyChange>(new CommandDefinition(
            $"""
            update gateway_messages set provider_message_id = @providerMessageId,
                status = case when {Advances} then @status else status end,
                status_at = case when {Advances} then @at else status_at end
            where id = @id and direction = 'out' and (provider_message_id is null or provider_message_id = @providerMessageId)
            {Changed}
            """, new { id, providerMessageId, status = "sent", at = at.UtcDateTime }, tx, cancellationToken: ct))).ToList();
        if (changes.Count == 0)
        {
            return changes;
        }
        var channel = changes[0].Channel;
        var early = (await connection.QueryAsync<(string Status, string? ErrorCode, DateTime OccurredAt)>(new CommandDefinition(
            """
            delete from gateway_pending_statuses where channel = @channel and provider_message_id = @providerMessageId
            returning status, error_code, occurred_at
            """, new { channel, providerMessageId }, tx, cancellationToken: ct))).OrderBy(s => s.OccurredAt);
        foreach (var status in early)
        {
            changes.AddRange(await StatusAsync(connection, tx, id, status.Status, status.ErrorCode, null, status.OccurredAt, ct));
        }
        return changes;
    }

    /// <summary>A status of one reply, by its command id.</summary>
    public static async Task<IReadOnlyList<ReplyChange>> StatusAsync(NpgsqlConnection connection, NpgsqlTransaction tx, Guid id, string status,
        string? errorCode, string? errorMessage, DateTimeOffset at, CancellationToken ct) =>
        (await connection.QueryAsync<ReplyChange>(new CommandDefinition(
            $"""
            update gateway_messages set status = @status, error_code = @errorCode, error_message = @errorMessage, status_at = @at
            where id = @id and direction = 'out' and {Advances}
            {Changed}
            """, new { id, status, errorCode, errorMessage, at = at.UtcDateTime }, tx, cancellationToken: ct))).ToList();

    /// <summary>A provider's status of one message by its provider id; kept for later when no reply has that id yet.</summary>
    public static async Task<IReadOnlyList<ReplyChange>> ProviderStatusAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string channel,
        string providerMessageId, string status, string? errorCode, DateTimeOffset at, DateTimeOffset now, CancellationToken ct)
    {
        var known = await connection.ExecuteScalarAsync<Guid?>(new CommandDefinition(
            "select id from gateway_messages where channel = @channel and provider_message_id = @providerMessageId and direction = 'out'",
            new { channel, providerMessageId }, tx, cancellationToken: ct));
        if (known is { } id)
        {
            return await StatusAsync(connection, tx, id, status, errorCode, null, at, ct);
        }
        await connection.ExecuteAsync(new CommandDefinition(
            """
            insert into gateway_pending_statuses (channel, provider_message_id, status, error_code, occurred_at, received_at)
            values (@channel, @providerMessageId, @status, @errorCode, @at, @now) on conflict do nothing
            """, new { channel, providerMessageId, status, errorCode, at = at.UtcDateTime, now = now.UtcDateTime }, tx, cancellationToken: ct));
        return [];
    }

    /// <summary>A watermark status: every reply to the recipient on the account sent up to the time (Messenger's reads and deliveries).</summary>
    public static async Task<IReadOnlyList<ReplyChange>> WatermarkAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string channel,
        string? channelAccount, string recipient, DateTimeOffset upTo, string status, DateTimeOffset at, CancellationToken ct) =>
        (await connection.QueryAsync<ReplyChange>(new CommandDefinition(
            $"""
            update gateway_messages set status = @status, status_at = @at
            where direction = 'out' and channel = @channel and (@anyAccount or channel_account = @channelAccount) and address_value = @recipient
              and at <= @upTo and provider_message_id is not null and {Advances}
            {Changed}
            """, new
            {
                channel, anyAccount = channelAccount is null, channelAccount = channelAccount ?? "", recipient, upTo = upTo.UtcDateTime, status,
                at = at.UtcDateTime,
            }, tx, cancellationToken: ct))).ToList();
}
