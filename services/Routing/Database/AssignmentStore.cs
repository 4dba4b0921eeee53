using Dapper;
using Routing.Policy;

namespace Routing.Database;

/// <summary>
/// An assignment in one round trip: a slot taken from the agent by a guarded update, and only if
/// that succeeded, the conversation opened for the agent, its hold timer cancelled, the offer timer
/// set (when the agent must accept) or the relationship recorded (when not); then what the agent is
/// told (<see cref="AgentContextQuery"/>): the customer's context and the conversation's recent messages.
/// </summary>
internal static class AssignmentStore
{
    /// <summary>Rule 4's order, served by agents_fallback; the same as RoutingPolicy.RankFallback.</summary>
    private const string FallbackEligibleInOrder = """
        from agents
        where presence = 'available' and open_count < capacity and @channel = any(channels) and id <> all(@excluded)
          and (@team::text is null or @team = any(teams))
          and (@language::text is null or cardinality(languages) = 0 or @language = any(languages)) and skills @> @skills::text[]
        order by open_count, last_assigned_at nulls first, id
        """;

    /// <summary>Everything after the candidate CTE: take the slot if the guard still holds, then make the assignment.</summary>
    private const string ReserveAndAssign = $$"""
        reserved as (
            update agents a set open_count = a.open_count + 1, last_assigned_at = @now
            from candidate
            where a.id = candidate.id and a.presence = 'available' and a.open_count < a.capacity and @channel = any(a.channels)
            returning {{AgentStore.ColumnsOfA}}),
        opened as (
            update conversations c set status = 'open', agent_id = r.id, assigned_at = @now, first_assigned_at = coalesce(c.first_assigned_at, @now),
                handling_since = coalesce(c.handling_since, @now),
                offer_expires_at = case when r.requires_accept then @offerExpiresAt end,
                accepted_at = case when r.requires_accept then null else @now end, held_for = '{}'
            from reserved r where c.id = @conversationId),
        unheld as (
            delete from timers where conversation_id = @conversationId and kind = 'hold' and exists (select 1 from reserved)),
        offered as (
            insert into timers (kind, conversation_id, due_at) select 'offer', @conversationId, @offerExpiresAt from reserved where requires_accept
            on conflict (kind, conversation_id) where conversation_id is not null do update set due_at = excluded.due_at),
        handled as (
            insert into agent_history (customer_id, agent_id, last_handled_at) select @customerId, id, @now from reserved where not requires_accept
            on conflict (customer_id, agent_id) do update set last_handled_at = greatest(agent_history.last_handled_at, excluded.last_handled_at))
        select * from reserved;
        {{AgentContextQuery.Sql}};
        """;

    /// <summary>Assigns the conversation to this agent if the agent still has room; waits for a transaction assigning the same agent.</summary>
    public static async Task<AssignedAgent?> TryAssignAsync(RoutingTransaction tx, ConversationRow conversation, string agentId,
        DateTimeOffset offerExpiresAt, int recentLimit, CancellationToken ct)
    {
        using var results = await tx.Connection.QueryMultipleAsync(tx.Command(
            $"""
            with candidate as (select @agentId::text as id),
            {ReserveAndAssign}
            """, Parameters(tx, conversation, offerExpiresAt, recentLimit, agentId: agentId), ct));
        return await ReadAssignmentAsync(results);
    }

    /// <summary>
    /// Agents serving the channel who cannot take a fallback conversation now (full, away, offline, excluded), for the
    /// receipt: the nearest to serving first.
    /// </summary>
    private const string IneligibleInOrder = """
        from agents
        where @channel = any(channels) and (@team::text is null or @team = any(teams))
          and not (presence = 'available' and open_count < capacity and id <> all(@excluded)
                   and (@language::text is null or cardinality(languages) = 0 or @language = any(languages)) and skills @> @skills::text[])
        order by case presence when 'available' then 0 when 'away' then 1 else 2 end, open_count - capacity, id
        """;

    /// <summary>
    /// Rule 4: the best fallback agents first, and the nearest of those who cannot serve (<see cref="IneligibleInOrder"/>), for
    /// the receipt; and the conversation assigned to the
    /// best of them that no other transaction is assigning to right now (SKIP LOCKED), so concurrent
    /// conversations spread over the agents in ranking order instead of queueing on one row.
    /// Assignment is null when every eligible agent is full or being assigned at that instant.
    /// </summary>
    public static async Task<FallbackAttempt> TryAssignBestAsync(RoutingTransaction tx,
        ConversationRow conversation, Need need, string[] excluded, int poolSize, int ineligibleLimit, DateTimeOffset offerExpiresAt, int recentLimit, CancellationToken ct)
    {
        using var results = await tx.Connection.QueryMultipleAsync(tx.Command(
            $"""
            select {AgentStore.Columns}
            {FallbackEligibleInOrder}
            limit @poolSize;

            select {AgentStore.Columns}
            {IneligibleInOrder}
            limit @ineligibleLimit;

            with candidate as (
                select id
                {FallbackEligibleInOrder}
                limit 1
                for update skip locked),
            {ReserveAndAssign}
            """, Parameters(tx, conversation, offerExpiresAt, recentLimit, need, excluded: excluded, poolSize: poolSize, ineligibleLimit: ineligibleLimit), ct));
        var pool = (await results.ReadAsync<AgentRow>()).Select(r => r.ToSnapshot()).ToList();
        var ineligible = (await results.ReadAsync<AgentRow>()).Select(r => r.ToSnapshot()).ToList();
        return new FallbackAttempt(pool, ineligible, await ReadAssignmentAsync(results));
    }

    private static object Parameters(RoutingTransaction tx, ConversationRow conversation, DateTimeOffset offerExpiresAt, int recentLimit,
        Need? need = null, string? agentId = null, string[]? excluded = null, int poolSize = 0, int ineligibleLimit = 0) => new
        {
            agentId,
            excluded = excluded ?? [],
            poolSize,
            ineligibleLimit,
            channel = conversation.Channel,
            team = need?.Team ?? conversation.Team,
            language = need?.Language,
            skills = need?.RequiredSkills.ToArray() ?? [],
            conversationId = conversation.Id,
            customerId = conversation.CustomerId,
            offerExpiresAt,
            now = tx.Now,
            limit = recentLimit,
            earlierLimit = AgentContextQuery.EarlierMessageLimit,
        };

    private static async Task<AssignedAgent?> ReadAssignmentAsync(SqlMapper.GridReader results)
    {
        var agent = await results.ReadSingleOrDefaultAsync<AgentRow>();
        var context = await AgentContextQuery.ReadAsync(results);
        return agent is null ? null : new AssignedAgent(agent.ToSnapshot(), context);
    }
}

/// <summary>A fallback: the eligible agents best first, agents serving the channel who could not take it, and the assignment if one was made.</summary>
internal sealed record FallbackAttempt(IReadOnlyList<AgentSnapshot> Pool, IReadOnlyList<AgentSnapshot> Ineligible, AssignedAgent? Assignment);

/// <summary>The agent who took the conversation (as of just after taking the slot), and what the agent is told.</summary>
internal sealed record AssignedAgent(AgentSnapshot Agent, AssignedContext Context);
