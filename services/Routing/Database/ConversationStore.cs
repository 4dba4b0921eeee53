using Routing.Outbox;
using Dapper;
using Routing.Contracts;
using System.Text.Json;
using Routing.Addresses;

namespace Routing.Database;

/// <summary>Conversations, their messages and their routing receipts. Every method runs inside the caller's transaction.</summary>
internal static class ConversationStore
{
    /// <summary>Every column of a <see cref="ConversationRow"/>.</summary>
    internal const string Columns =
        "id, customer_id, channel, channel_account, thread_key, status, agent_id, priority, held_for, hold_until, excluded_agents, " +
        "offer_expires_at, accepted_at, created_at, waiting_since, assigned_at, closed_at, closed_by, close_reason, last_message_at, " +
        "exclusions::text as exclusions, preferred_set, first_assigned_at, team, language, skills, overflowed_at, " +
        "first_response_at, last_reply_at, preferred_hit, handling_since, handle_seconds, visibility";

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

    /// <summary>
    /// One round trip for a batch of inbound messages of locked customers: which of the messages were
    /// seen before, and the customers' conversations that are not closed (locked, in id order) with
    /// the agents of the open ones, for the grace check.
    /// </summary>
    /// <param name="reopenSince">A customer whose latest conversation was closed as idle after this instant gets it back.</param>
    public static async Task<InboundContext> InboundContextAsync(RoutingTransaction tx, Guid[] messageIds, Guid[] customerIds, DateTimeOffset reopenSince,
        CancellationToken ct)
    {
        using var results = await tx.Connection.QueryMultipleAsync(tx.Command(
            $"""
            select id from messages where id = any(@messageIds);
            select {Columns} from conversations where customer_id = any(@customerIds) and status <> 'closed' order by id for update;
            select {AgentStore.ColumnsOfA}
            from agents a where a.id in (select agent_id from conversations where customer_id = any(@customerIds) and status = 'open');
            select r.* from unnest(@customerIds::uuid[]) as k(id)
            join lateral (select {Columns} from conversations where customer_id = k.id and status = 'closed' order by closed_at desc limit 1) r on true
            where r.close_reason = @idle and r.closed_at > @reopenSince;
            select id, priority from customers where id = any(@customerIds) and priority <> 0;
            """, new { messageIds, customerIds, reopenSince, idle = CloseReasons.Idle }, ct));
        var seen = (await results.ReadAsync<Guid>()).ToHashSet();
        var active = (await results.ReadAsync<ConversationRow>()).ToList();
        var agents = (await results.ReadAsync<AgentRow>()).ToDictionary(a => a.Id, StringComparer.Ordinal);
        var returning = (await results.ReadAsync<ConversationRow>()).ToDictionary(c => c.CustomerId);
        var priorities = (await results.ReadAsync<(Guid Id, int Priority)>()).ToDictionary(p => p.Id, p => p.Priority);
        return new InboundContext(seen, active, agents, returning, priorities);
    }

    /// <summary>
    /// What reopening a closed conversation sets: waiting again, from now, with no agent; the caller routes it. Its first
    /// assignment and its exclusions stay (it is the same conversation).
    /// </summary>
    internal const string Reopen = """
        status = 'queued', agent_id = null, closed_at = null, closed_by = null, close_reason = null, waiting_since = @now,
        assigned_at = null, accepted_at = null, offer_expires_at = null, hold_until = null, held_for = '{}'
        """;

    /// <summary>
    /// Open conversations whose customer has been silent for their channel's idle time (@channels/@idles, @defaultIdle
    /// for the rest; a zero never closes), oldest silence first, locked, skipping those another transaction holds.
    /// </summary>
    public static async Task<IReadOnlyList<ConversationRow>> IdleAsync(RoutingTransaction tx, IReadOnlyDictionary<string, TimeSpan> idleByChannel,
        TimeSpan defaultIdle, int limit, CancellationToken ct)
    {
        var positive = idleByChannel.Values.Append(defaultIdle).Where(i => i > TimeSpan.Zero).ToList();
        if (positive.Count == 0)
        {
            return [];
        }
        return (await tx.Connection.QueryAsync<ConversationRow>(tx.Command(
            $"""
            select {Columns} from conversations c
            cross join lateral (select coalesce((select i.idle from unnest(@channels::text[], @idles::interval[]) as i(channel, idle)
                                                 where i.channel = lower(c.channel)), @defaultIdle) as idle) t
            where c.status = 'open' and t.idle > interval '0' and c.last_message_at <= @now - t.idle
              and c.last_message_at <= @now - @shortest
            order by c.last_message_at, c.id limit @limit
            for update of c skip locked
            """, new
            {
                channels = idleByChannel.Keys.Select(k => k.ToLowerInvariant()).ToArray(),
                idles = idleByChannel.Values.ToArray(),
                defaultIdle,
                // the index's range: nothing silent for less than the shortest idle time is looked at
                shortest = positive.Min(),
                limit,
                now = tx.Now,
            }, ct))).ToList();
    }

    /// <summary>
    /// One round trip for a batch's writes before routing: the conversations it starts, every message
    /// (in arrival order), and for the conversations they joined, the latest message time and the channel (account and
    /// thread) the customer wrote on last: routed again, a conversation goes to who serves where the customer is now.
    /// </summary>
    /// <param name="reopened">Closed conversations the batch's customers came back to: waiting again (<see cref="Reopen"/>), and joined.</param>
    public static Task InsertInboundAsync(RoutingTransaction tx, IReadOnlyList<ConversationRow> started,
        IReadOnlyList<InboundMessageRow> messages, IReadOnlyCollection<Guid> joinedIds, IReadOnlyCollection<Guid> reopened, CancellationToken ct)
    {
        var joined = messages.Where(m => joinedIds.Contains(m.ConversationId) || reopened.Contains(m.ConversationId))
            .GroupBy(m => m.ConversationId).Select(g => g.Last()).ToList();
        return InsertInboundAsync(tx, started, messages, joined, reopened.ToArray(), ct);
    }

    private static Task InsertInboundAsync(RoutingTransaction tx, IReadOnlyList<ConversationRow> started,
        IReadOnlyList<InboundMessageRow> messages, IReadOnlyList<InboundMessageRow> joined, Guid[] reopened, CancellationToken ct) =>
        tx.Connection.ExecuteAsync(tx.Command(
            $"""
            insert into conversations (id, customer_id, channel, channel_account, thread_key, status, priority, created_at, waiting_since, last_message_at,
                language, skills, team, visibility)
            select c.id, c.customer_id, c.channel, c.channel_account, c.thread_key, 'queued', c.priority, @now, @now, @now,
                c.language, coalesce(string_to_array(nullif(c.skills, ''), ','), array[]::text[]), c.team, c.visibility
            from unnest(@conversationIds::uuid[], @customerIds::uuid[], @channels::text[], @accounts::text[], @threadKeys::text[], @priorities::int[],
                        @languages::text[], @skillLists::text[], @teams::text[], @visibilities::text[])
                with ordinality as c(id, customer_id, channel, channel_account, thread_key, priority, language, skills, team, visibility, n)
            order by c.n;

            insert into messages (id, conversation_id, customer_id, channel, channel_account, provider_message_id, sender_kind, sender_value,
                sender_display_name, thread_key, subject, body, attachments, reply_to_provider_message_id, provider_timestamp, received_at, routed_at,
                visibility, post)
            select m.id, m.conversation_id, m.customer_id, m.channel, m.channel_account, m.provider_message_id, m.sender_kind, m.sender_value,
                m.sender_display_name, m.thread_key, m.subject, m.body, m.attachments::jsonb, m.reply_to, m.provider_timestamp, m.received_at, @now,
                m.visibility, m.post::jsonb
            from unnest(@ids::uuid[], @messageConversationIds::uuid[], @messageCustomerIds::uuid[], @messageChannels::text[], @messageAccounts::text[],
                        @providerIds::text[], @senderKinds::text[], @senderValues::text[], @senderNames::text[], @messageThreadKeys::text[],
                        @subjects::text[], @bodies::text[], @attachments::text[], @replyTos::text[], @providerTimestamps::timestamptz[], @receivedAts::timestamptz[],
                        @messageVisibilities::text[], @posts::text[])
                with ordinality as m(id, conversation_id, customer_id, channel, channel_account, provider_message_id, sender_kind, sender_value,
                        sender_display_name, thread_key, subject, body, attachments, reply_to, provider_timestamp, received_at, visibility, post, n)
            order by m.n;

            update conversations set {Reopen} where id = any(@reopened) and status = 'closed';

            update conversations c set last_message_at = greatest(c.last_message_at, @now), channel = j.channel, channel_account = j.account,
                thread_key = j.thread_key, visibility = j.visibility,
                -- a public message raises a waiting conversation to public's priority: everyone can read what the customer wrote
                priority = case when c.status in ('queued', 'held') then greatest(c.priority, j.priority) else c.priority end
            from unnest(@joined::uuid[], @joinedChannels::text[], @joinedAccounts::text[], @joinedThreadKeys::text[], @joinedVisibilities::text[],
                        @joinedPriorities::int[]) as j(id, channel, account, thread_key, visibility, priority)
            where c.id = j.id;
            """,
            new
            {
                conversationIds = started.Select(c => c.Id).ToArray(),
                customerIds = started.Select(c => c.CustomerId).ToArray(),
                channels = started.Select(c => c.Channel).ToArray(),
                accounts = started.Select(c => c.ChannelAccount).ToArray(),
                threadKeys = started.Select(c => c.ThreadKey).ToArray(),
                priorities = started.Select(c => c.Priority).ToArray(),
                languages = started.Select(c => c.Language).ToArray(),
                skillLists = started.Select(c => string.Join(',', c.Skills)).ToArray(),
                teams = started.Select(c => c.Team).ToArray(),
                visibilities = started.Select(c => c.Visibility).ToArray(),
                ids = messages.Select(m => m.Message.MessageId).ToArray(),
                messageConversationIds = messages.Select(m => m.ConversationId).ToArray(),
                messageCustomerIds = messages.Select(m => m.CustomerId).ToArray(),
                messageChannels = messages.Select(m => m.Message.Channel).ToArray(),
                messageAccounts = messages.Select(m => m.Message.ChannelAccount).ToArray(),
                providerIds = messages.Select(m => m.Message.ProviderMessageId).ToArray(),
                senderKinds = messages.Select(m => m.Sender.Kind).ToArray(),
                senderValues = messages.Select(m => m.Sender.Value).ToArray(),
                senderNames = messages.Select(m => m.Message.Sender.DisplayName).ToArray(),
                messageThreadKeys = messages.Select(m => m.Message.ThreadKey).ToArray(),
                subjects = messages.Select(m => m.Message.Subject).ToArray(),
                bodies = messages.Select(m => m.Message.Text).ToArray(),
                attachments = messages.Select(m => JsonSerializer.Serialize(m.Message.Attachments, ContractTypes.Json)).ToArray(),
                replyTos = messages.Select(m => m.Message.ReplyToProviderMessageId).ToArray(),
                // timestamptz takes UTC instants; adapters may report the provider's local offset.
                providerTimestamps = messages.Select(m => m.Message.ProviderTimestamp.ToUniversalTime()).ToArray(),
                receivedAts = messages.Select(m => m.Message.ReceivedAt.ToUniversalTime()).ToArray(),
                messageVisibilities = messages.Select(m => m.Message.Visibility).ToArray(),
                posts = messages.Select(m => m.Message.Post is null ? null : JsonSerializer.Serialize(m.Message.Post, ContractTypes.Json)).ToArray(),
                reopened,
                joined = joined.Select(m => m.ConversationId).ToArray(),
                joinedChannels = joined.Select(m => m.Message.Channel).ToArray(),
                joinedAccounts = joined.Select(m => m.Message.ChannelAccount).ToArray(),
                joinedThreadKeys = joined.Select(m => m.Message.ThreadKey).ToArray(),
                joinedVisibilities = joined.Select(m => m.Message.Visibility).ToArray(),
                joinedPriorities = joined.Select(m => m.Priority).ToArray(),
                now = tx.Now,
            }, ct));

    /// <summary>How many of the customer's messages the conversation holds.</summary>
    public static async Task<int> MessageCountAsync(RoutingTransaction tx, Guid conversationId, CancellationToken ct) =>
        await tx.Connection.ExecuteScalarAsync<int>(tx.Command("select count(*) from messages where conversation_id = @conversationId", new { conversationId }, ct));

    /// <summary>Holds the conversation for <paramref name="heldFor"/>; <paramref name="preferredSet"/> is kept until its first assignment.</summary>
    public static Task MarkHeldAsync(RoutingTransaction tx, Guid id, string[] heldFor, DateTimeOffset holdUntil, string[] preferredSet, CancellationToken ct) =>
        tx.Connection.ExecuteAsync(tx.Command(
            """
            update conversations set status = 'held', agent_id = null, held_for = @heldFor, hold_until = @holdUntil,
                waiting_since = coalesce(waiting_since, @now),
                preferred_set = case when first_assigned_at is null then @preferredSet else preferred_set end
            where id = @id
            """, new { id, heldFor, holdUntil, preferredSet, now = tx.Now }, ct));

    /// <summary>Queues the conversation; <paramref name="preferredSet"/> is kept until its first assignment.</summary>
    public static Task MarkQueuedAsync(RoutingTransaction tx, Guid id, string[] preferredSet, CancellationToken ct) =>
        tx.Connection.ExecuteAsync(tx.Command(
            """
            update conversations set status = 'queued', agent_id = null, held_for = '{}', waiting_since = coalesce(waiting_since, @now),
                preferred_set = case when first_assigned_at is null then @preferredSet else preferred_set end
            where id = @id
            """, new { id, preferredSet, now = tx.Now }, ct));

    /// <summary>
    /// Takes the conversation from its agent (the time they had it counts to its handle time); the caller routes it again
    /// straight after, in the same transaction. An excluded agent
    /// is passed over until <paramref name="excludedUntil"/>. The conversation may be held again: it is a new wait.
    /// </summary>
    public static Task MarkReleasedAsync(RoutingTransaction tx, Guid id, string? excludeAgent, DateTimeOffset excludedUntil, CancellationToken ct) =>
        tx.Connection.ExecuteAsync(tx.Command(
            """
            update conversations set status = 'queued', agent_id = null, offer_expires_at = null, accepted_at = null, assigned_at = null,
                waiting_since = @now, hold_until = null, handling_since = null,
                handle_seconds = case when handling_since is null then handle_seconds
                                      else coalesce(handle_seconds, 0) + greatest(0, extract(epoch from @now - handling_since)::float8) end,
                excluded_agents = case when @excludeAgent::text is null or @excludeAgent = any(excluded_agents) then excluded_agents
                                       else array_append(excluded_agents, @excludeAgent) end,
                exclusions = case when @excludeAgent::text is null then exclusions
                                  else exclusions || jsonb_build_object(@excludeAgent::text, @excludedUntil) end
            where id = @id
            """, new { id, excludeAgent, excludedUntil, now = tx.Now }, ct));

    /// <summary>The customer's latest message in the conversation, as an auto-reply answers it; null when there is none.</summary>
    public static async Task<AnsweredMessage?> LatestMessageAsync(RoutingTransaction tx, Guid conversationId, CancellationToken ct)
    {
        var row = await tx.Connection.QuerySingleOrDefaultAsync<LatestMessageRow>(tx.Command(
            """
            select id, conversation_id, channel, channel_account, provider_message_id, thread_key, sender_kind, sender_value,
                   sender_display_name, subject, body, attachments::text as attachments, received_at, visibility, post::text as post
            from messages where conversation_id = @conversationId order by received_at desc, id desc limit 1
            """, new { conversationId }, ct));
        return row is null ? null : new AnsweredMessage(row.ToMessage(), row.ChannelAccount, row.ProviderMessageId, row.ThreadKey);
    }

    /// <summary>A queue time limit passed: the conversation moves to the overflow team (its own when the rule names none).</summary>
    public static Task MarkOverflowedAsync(RoutingTransaction tx, Guid id, string? team, CancellationToken ct) =>
        tx.Connection.ExecuteAsync(tx.Command(
            "update conversations set team = @team, overflowed_at = @now where id = @id", new { id, team, now = tx.Now }, ct));

    public static Task MarkAcceptedAsync(RoutingTransaction tx, Guid id, CancellationToken ct) =>
        tx.Connection.ExecuteAsync(tx.Command(
            "update conversations set accepted_at = @now, offer_expires_at = null where id = @id", new { id, now = tx.Now }, ct));

    /// <param name="handled">The stretch agents had it until this close, added to its handle time; null: it was waiting.</param>
    public static Task MarkClosedAsync(RoutingTransaction tx, Guid id, string closedBy, string? reason, TimeSpan? handled, CancellationToken ct) =>
        tx.Connection.ExecuteAsync(tx.Command(
            """
            update conversations set status = 'closed', closed_at = @now, closed_by = @closedBy, close_reason = @reason, held_for = '{}',
                handling_since = null,
                handle_seconds = case when @handled::float8 is null then handle_seconds else coalesce(handle_seconds, 0) + @handled end
            where id = @id
            """, new { id, closedBy, reason, handled = handled?.TotalSeconds, now = tx.Now }, ct));

    /// <summary>
    /// Held conversations none of whose agents can still take them: each is offline, no longer serves the channel, has no
    /// capacity, or is excluded. Locked, skipping those another transaction holds (it is routing them).
    /// </summary>
    public static async Task<IReadOnlyList<ConversationRow>> HeldForNoOneAsync(RoutingTransaction tx, int limit, CancellationToken ct) =>
        (await tx.Connection.QueryAsync<ConversationRow>(tx.Command(
            $"""
            select {Columns} from conversations c
            where status = 'held' and not exists (
                select 1 from agents a
                where a.id = any(c.held_for) and a.presence <> 'offline' and c.channel = any(a.channels) and a.capacity > 0
                  and coalesce((c.exclusions ->> a.id)::timestamptz, '-infinity') <= @now)
            order by waiting_since, id limit @limit
            for update skip locked
            """, new { limit, now = tx.Now }, ct))).ToList();

    /// <summary>@agentId's exclusion from the conversation has lapsed by @now, or there was none.</summary>
    private const string NotExcluded = "coalesce((exclusions ->> @agentId)::timestamptz, '-infinity') <= @now";

    /// <summary>The next conversation a freed slot of this agent serves: one held for the agent first, then the oldest waiting one.</summary>
    /// <param name="languageRelaxed">Conversations that have waited since before then take any language; <paramref name="skillsRelaxed"/>, any skills.</param>
    public static async Task<ConversationRow?> NextForAgentAsync(RoutingTransaction tx, AgentRow agent, DateTimeOffset languageRelaxed,
        DateTimeOffset skillsRelaxed, CancellationToken ct)
    {
        var held = await tx.Connection.QuerySingleOrDefaultAsync<ConversationRow>(tx.Command(
            $"""
            select {Columns} from conversations
            where status = 'held' and held_for @> array[@agentId]::text[] and channel = any(@channels) and {NotExcluded}
            order by waiting_since, id limit 1 for update skip locked
            """, new { agentId = agent.Id, channels = agent.Channels, now = tx.Now }, ct));
        return held ?? await tx.Connection.QuerySingleOrDefaultAsync<ConversationRow>(tx.Command(
            $"""
            select {Columns} from conversations
            where status = 'queued' and channel = any(@channels) and (team is null or team = any(@teams)) and {NotExcluded}
              and (language is null or cardinality(@languages::text[]) = 0 or language = any(@languages) or waiting_since <= @languageRelaxed)
              and (skills <@ @skills::text[] or waiting_since <= @skillsRelaxed)
            order by priority desc, waiting_since, id limit 1 for update skip locked
            """, new
            {
                agentId = agent.Id, channels = agent.Channels, teams = agent.Teams, languages = agent.Languages, skills = agent.Skills,
                languageRelaxed, skillsRelaxed, now = tx.Now,
            }, ct));
    }

    public static async Task<IReadOnlyList<DecisionRow>> DecisionsAsync(RoutingTransaction tx, Guid conversationId, CancellationToken ct) =>
        (await tx.Connection.QueryAsync<DecisionRow>(tx.Command(
            "select id, conversation_id, at, trigger, outcome, reason, agent_id, candidates::text as candidates, candidates_considered from decisions where conversation_id = @conversationId order by seq",
            new { conversationId }, ct))).ToList();
}

/// <param name="Returning">Per customer, the conversation closed as idle within the reopen window that is their latest.</param>
/// <param name="Priorities">The customers' priorities that are not 0 (VIPs).</param>
internal sealed record InboundContext(HashSet<Guid> Seen, IReadOnlyList<ConversationRow> Active, Dictionary<string, AgentRow> Agents,
    Dictionary<Guid, ConversationRow> Returning, Dictionary<Guid, int> Priorities);

/// <summary>An inbound message as stored: in which conversation, of which customer, from which normalized address.</summary>
/// <param name="Priority">The priority the message asks for (the adapter's, or public's): a waiting conversation it joins is raised to it.</param>
internal sealed record InboundMessageRow(InboundMessageReceived Message, Guid ConversationId, Guid CustomerId, NormalizedAddress Sender, int Priority = 0)
{
    /// <summary>The message as an auto-reply answers it, in <paramref name="conversationId"/>, its sender as normalized.</summary>
    public AnsweredMessage Answered(Guid conversationId) => new(new ConversationMessage
    {
        MessageId = Message.MessageId,
        ConversationId = conversationId,
        Channel = Message.Channel,
        Sender = Message.Sender with { Kind = Sender.Kind, Value = Sender.Value },
        Subject = Message.Subject,
        Text = Message.Text,
        Attachments = Message.Attachments,
        Visibility = Message.Visibility,
        Post = Message.Post,
        ReceivedAt = Message.ReceivedAt,
    }, Message.ChannelAccount, Message.ProviderMessageId, Message.ThreadKey);
}

/// <summary>A customer's message as an auto-reply answers it: on its channel account, threaded under it.</summary>
internal sealed record AnsweredMessage(ConversationMessage Message, string ChannelAccount, string? ProviderMessageId, string? ThreadKey);

/// <summary>A message with where it came from: the account it was written to, its provider's id, its thread.</summary>
internal sealed record LatestMessageRow : RecentMessageRow
{
    public string ChannelAccount { get; init; } = "";
    public string? ProviderMessageId { get; init; }
    public string? ThreadKey { get; init; }
}
