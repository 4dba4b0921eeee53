using Dapper;

namespace Routing.Database;

/// <summary>
/// What a what-if replay reads of a period: the agents, their presence when it starts and every change during it, the
/// conversations that started in it, and their customers' owners and history as they stood at its start. Ids, channels
/// and instants only: no address, name or message text leaves the database for a replay.
/// </summary>
internal static class ReplayStore
{
    public static async Task<ReplayData> ReadAsync(RoutingTransaction tx, DateTimeOffset from, DateTimeOffset to, DateTimeOffset historySince,
        CancellationToken ct)
    {
        using var results = await tx.Connection.QueryMultipleAsync(tx.Command(
            """
            select id, capacity, channels, working_hours::text as working_hours from agents order by id;

            select a.id as agent_id, p.presence, p.at from agents a
            cross join lateral (select presence, at from presence_changes where agent_id = a.id and at < @from order by at desc, id desc limit 1) p
            order by a.id;

            select agent_id, presence, at from presence_changes where at >= @from and at < @to order by at, id;

            -- the channel a conversation started on (conversations.channel is the one its customer wrote on last)
            select c.id, c.customer_id,
                   coalesce((select m.channel from messages m where m.conversation_id = c.id order by m.routed_at, m.received_at limit 1), c.channel) as channel,
                   c.created_at, c.assigned_at, c.closed_at
            from conversations c where c.created_at >= @from and c.created_at < @to order by c.created_at, c.id;

            select p.customer_id, p.agent_id from preferred_agents p
            where p.customer_id in (select customer_id from conversations where created_at >= @from and created_at < @to)
            order by p.customer_id, p.position;

            -- who handled each customer before the period: closes before it, and the recorded history older than it
            select customer_id, agent_id, max(at) as at from (
                select customer_id, agent_id, closed_at as at from conversations
                where agent_id is not null and closed_at >= @historySince and closed_at < @from
                union all
                select customer_id, agent_id, last_handled_at from agent_history where last_handled_at >= @historySince and last_handled_at < @from) h
            where customer_id in (select customer_id from conversations where created_at >= @from and created_at < @to)
              and agent_id in (select id from agents)
            group by customer_id, agent_id;

            -- conversations an agent had when the period began: their slots are taken until they close
            select id, customer_id, channel, agent_id, closed_at from conversations
            where created_at < @from and assigned_at < @from and agent_id is not null and (closed_at is null or closed_at >= @from)
            order by assigned_at, id;

            -- a customer who wrote on another channel than the last: the conversation moved there (a queued one is routed again)
            select conversation_id, channel, routed_at as at from (
                select m.conversation_id, m.channel, m.routed_at,
                       lag(m.channel) over (partition by m.conversation_id order by m.routed_at, m.received_at) as previous
                from messages m join conversations c on c.id = m.conversation_id
                where c.created_at >= @from and c.created_at < @to and m.routed_at < @to) x
            where previous is not null and previous <> channel
            order by routed_at;

            -- each agent's last assignment before the period (within the history lookback): rule 4's longest-idle order starts from it
            select agent_id, max(at) as at from decisions
            where outcome = 'assigned' and agent_id is not null and at >= @historySince and at < @from group by agent_id;
            """, new { from, to, historySince }, ct));
        var agents = (await results.ReadAsync<ReplayAgent>()).ToList();
        var initial = (await results.ReadAsync<ReplayPresence>()).ToList();
        var changes = (await results.ReadAsync<ReplayPresence>()).ToList();
        var conversations = (await results.ReadAsync<ReplayConversation>()).ToList();
        var owners = (await results.ReadAsync<(Guid CustomerId, string AgentId)>()).ToList();
        var history = (await results.ReadAsync<(Guid CustomerId, string AgentId, DateTime At)>())
            .Select(h => (h.CustomerId, h.AgentId, At: AgentRow.Utc(h.At))).ToList();
        var carried = (await results.ReadAsync<CarriedConversation>()).ToList();
        var moves = (await results.ReadAsync<(Guid ConversationId, string Channel, DateTime At)>())
            .Select(m => new ChannelMove(m.ConversationId, m.Channel, AgentRow.Utc(m.At))).ToList();
        var lastAssigned = (await results.ReadAsync<(string AgentId, DateTime At)>()).ToDictionary(a => a.AgentId, a => AgentRow.Utc(a.At), StringComparer.Ordinal);
        return new ReplayData(agents, initial, changes, conversations, owners, history, carried, lastAssigned, moves);
    }
}

internal sealed record ReplayData(
    IReadOnlyList<ReplayAgent> Agents,
    IReadOnlyList<ReplayPresence> PresenceAtStart,
    IReadOnlyList<ReplayPresence> PresenceChanges,
    IReadOnlyList<ReplayConversation> Conversations,
    IReadOnlyList<(Guid CustomerId, string AgentId)> Owners,
    IReadOnlyList<(Guid CustomerId, string AgentId, DateTimeOffset At)> History,
    IReadOnlyList<CarriedConversation> Carried,
    IReadOnlyDictionary<string, DateTimeOffset> LastAssigned,
    IReadOnlyList<ChannelMove> ChannelMoves);

/// <summary>A message on another channel than the conversation's last: the conversation moved to that channel then.</summary>
internal sealed record ChannelMove(Guid ConversationId, string Channel, DateTimeOffset At);

internal sealed record ReplayAgent
{
    public required string Id { get; init; }
    public int Capacity { get; init; }
    public string[] Channels { get; init; } = [];
    public string? WorkingHours { get; init; }
}

internal sealed record ReplayPresence
{
    public required string AgentId { get; init; }
    public required string Presence { get; init; }
    public DateTime At { get; init; }
}

internal sealed record ReplayConversation
{
    public Guid Id { get; init; }
    public Guid CustomerId { get; init; }
    public required string Channel { get; init; }
    public DateTime CreatedAt { get; init; }
    public DateTime? AssignedAt { get; init; }
    public DateTime? ClosedAt { get; init; }
}

/// <summary>A conversation an agent had when the period began, and when it closed (null: still open).</summary>
internal sealed record CarriedConversation
{
    public Guid Id { get; init; }
    public Guid CustomerId { get; init; }
    public required string Channel { get; init; }
    public required string AgentId { get; init; }
    public DateTime? ClosedAt { get; init; }
}
