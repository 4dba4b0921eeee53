using Dapper;
using Routing.Policy;

namespace Routing.Database;

/// <summary>Agents' capacity, presence and load. Slots change only through guarded updates, so capacity holds across replicas.</summary>
internal static class AgentStore
{
    internal const string Columns = "id, name, capacity, channels, teams, languages, skills, working_hours::text as working_hours, requires_accept, presence, presence_changed_at, open_count, last_assigned_at, created_at, updated_at";
    internal const string ColumnsOfA = "a.id, a.name, a.capacity, a.channels, a.teams, a.languages, a.skills, a.working_hours::text as working_hours, a.requires_accept, a.presence, a.presence_changed_at, a.open_count, a.last_assigned_at, a.created_at, a.updated_at";

    public static Task<AgentRow?> GetAsync(RoutingTransaction tx, string id, CancellationToken ct) =>
        tx.Connection.QuerySingleOrDefaultAsync<AgentRow>(tx.Command(
            $"select {Columns} from agents where id = @id", new { id }, ct));

    public static async Task<IReadOnlyList<AgentRow>> TeamAsync(RoutingTransaction tx, string team, CancellationToken ct) =>
        (await tx.Connection.QueryAsync<AgentRow>(tx.Command(
            $"select {Columns} from agents where teams @> array[@team]::text[] order by id", new { team }, ct))).ToList();

    public static async Task<IReadOnlyList<AgentRow>> ListAsync(RoutingTransaction tx, CancellationToken ct) =>
        (await tx.Connection.QueryAsync<AgentRow>(tx.Command($"select {Columns} from agents order by id", null, ct))).ToList();

    public static async Task<bool> InsertAsync(RoutingTransaction tx, AgentRow agent, CancellationToken ct) =>
        await tx.Connection.ExecuteAsync(tx.Command(
            """
            with inserted as (
                insert into agents (id, name, capacity, channels, teams, languages, skills, working_hours, requires_accept, presence, presence_changed_at,
                                    open_count, created_at, updated_at)
                values (@Id, @Name, @Capacity, @Channels, @Teams, @Languages, @Skills, @WorkingHours::jsonb, @RequiresAccept, @Presence, @PresenceChangedAt, 0, @CreatedAt, @UpdatedAt)
                on conflict (id) do nothing
                returning id, presence, presence_changed_at)
            insert into presence_changes (agent_id, presence, at) select id, presence, presence_changed_at from inserted
            """, agent, ct)) == 1;

    public static Task<AgentRow?> UpdateAsync(RoutingTransaction tx, string id, AgentChanges changes, CancellationToken ct) =>
        tx.Connection.QuerySingleOrDefaultAsync<AgentRow>(tx.Command(
            $"""
            update agents set name = coalesce(@Name, name), capacity = coalesce(@Capacity, capacity),
                channels = coalesce(@Channels, channels), teams = coalesce(@Teams, teams), languages = coalesce(@Languages, languages),
                skills = coalesce(@Skills, skills), requires_accept = coalesce(@RequiresAccept, requires_accept),
                working_hours = case when @ClearHours then null else coalesce(@WorkingHours::jsonb, working_hours) end, updated_at = @now
            where id = @id
            returning {Columns}
            """, new
            {
                id, changes.Name, changes.Capacity, changes.Channels, changes.Teams, changes.Languages, changes.Skills, changes.RequiresAccept,
                changes.WorkingHours, changes.ClearHours, now = tx.Now,
            }, ct));

    /// <summary>
    /// Sets presence unless it is already that, or the change is older than the one recorded, and records the change in
    /// presence_changes (what a what-if replay reads). Returns the new row, or null when nothing changed.
    /// </summary>
    public static Task<AgentRow?> SetPresenceAsync(RoutingTransaction tx, string id, string presence, DateTimeOffset changedAt, CancellationToken ct) =>
        tx.Connection.QuerySingleOrDefaultAsync<AgentRow>(tx.Command(
            $"""
            with changed as (
                update agents set presence = @presence, presence_changed_at = @changedAt, updated_at = @now
                where id = @id and presence <> @presence and presence_changed_at <= @changedAt
                returning {Columns}),
            recorded as (
                insert into presence_changes (agent_id, presence, at) select id, presence, presence_changed_at from changed)
            select * from changed
            """, new { id, presence, changedAt, now = tx.Now }, ct));

    public static Task ReleaseSlotAsync(RoutingTransaction tx, string id, CancellationToken ct) =>
        tx.Connection.ExecuteAsync(tx.Command(
            "update agents set open_count = open_count - 1 where id = @id and open_count > 0", new { id }, ct));

    /// <summary>
    /// Where the preferred sets of several customers come from, in one round trip: each customer's
    /// owners (and those of customers merged into it), the customer's own first, each in order; and
    /// the agents who handled them since <paramref name="since"/>, most recent first.
    /// </summary>
    public static async Task<Dictionary<Guid, PreferredSources>> PreferredSourcesAsync(
        RoutingTransaction tx, Guid[] customerIds, DateTimeOffset since, CancellationToken ct)
    {
        using var results = await tx.Connection.QueryMultipleAsync(tx.Command(
            $"""
            select {ColumnsOfA}, r.id as root_id
            from unnest(@customerIds::uuid[]) as r(id)
            join lateral (select id, created_at from customers where id = r.id
                          union all select id, created_at from customers where merged_into = r.id) c on true
            join preferred_agents p on p.customer_id = c.id
            join agents a on a.id = p.agent_id
            order by r.id, (c.id <> r.id), c.created_at, c.id, p.position;

            select {ColumnsOfA}, h.last_handled_at, r.id as root_id
            from unnest(@customerIds::uuid[]) as r(id)
            join lateral (select agent_id, max(last_handled_at) as last_handled_at from agent_history
                          where customer_id in (select id from customers where id = r.id union all select id from customers where merged_into = r.id)
                            and last_handled_at >= @since
                          group by agent_id) h on true
            join agents a on a.id = h.agent_id
            order by r.id, h.last_handled_at desc, a.id;

            select {ColumnsOfA}, r.id as root_id
            from unnest(@customerIds::uuid[]) as r(id)
            join lateral (select agent_id, max(sent_at) as sent_at from follow_up_answers
                          where customer_id in (select id from customers where id = r.id union all select id from customers where merged_into = r.id)
                            and answer_by > @now
                          group by agent_id) f on true
            join agents a on a.id = f.agent_id
            order by r.id, f.sent_at desc, a.id;
            """, new { customerIds, since, now = tx.Now }, ct));
        var sources = customerIds.Distinct().ToDictionary(id => id, _ => new PreferredSources([], [], []));
        foreach (var (agent, customerId) in results.Read<AgentRow, Guid, (AgentSnapshot, Guid)>((a, id) => (a.ToSnapshot(), id), splitOn: "root_id"))
        {
            sources[customerId].Owners.Add(agent);
        }
        foreach (var (agent, at, customerId) in results.Read<AgentRow, DateTime, Guid, (AgentSnapshot, DateTimeOffset, Guid)>(
            (a, at, id) => (a.ToSnapshot(), AgentRow.Utc(at), id), splitOn: "last_handled_at,root_id"))
        {
            sources[customerId].History.Add((agent, at));
        }
        foreach (var (agent, customerId) in results.Read<AgentRow, Guid, (AgentSnapshot, Guid)>((a, id) => (a.ToSnapshot(), id), splitOn: "root_id"))
        {
            sources[customerId].FollowUps.Add(agent);
        }
        return sources;
    }

    public static Task RecordHistoryAsync(RoutingTransaction tx, Guid customerId, string agentId, CancellationToken ct) =>
        tx.Connection.ExecuteAsync(tx.Command(
            """
            insert into agent_history (customer_id, agent_id, last_handled_at) values (@customerId, @agentId, @now)
            on conflict (customer_id, agent_id) do update set last_handled_at = greatest(agent_history.last_handled_at, excluded.last_handled_at)
            """, new { customerId, agentId, now = tx.Now }, ct));

    /// <summary>
    /// Available agents with a free slot while a conversation they could take waits. Normally the
    /// freeing transaction fills the slot itself; this catches a conversation queued by a transaction
    /// that committed just after the slot was freed on another replica.
    /// </summary>
    public static async Task<IReadOnlyList<string>> IdleWithWorkWaitingAsync(RoutingTransaction tx, int limit, CancellationToken ct) =>
        (await tx.Connection.QueryAsync<string>(tx.Command(
            """
            -- Start from what waits (normally little or nothing), not from every agent.
            with queued_channels as (
                select coalesce(array_agg(distinct channel), '{}') as channels from conversations where status = 'queued'),
            held_for as (
                select distinct unnest(held_for) as agent_id from conversations where status = 'held')
            select a.id from agents a
            where exists (select 1 from conversations where status in ('queued', 'held')) -- one-time filter: nothing waits, nothing scanned
              and a.presence = 'available' and a.open_count < a.capacity
              and (a.channels && (select channels from queued_channels) or a.id in (select agent_id from held_for))
            order by a.open_count, a.last_assigned_at nulls first, a.id
            limit @limit
            """, new { limit }, ct))).ToList();
}

/// <summary>What an update changes: each field that is set.</summary>
internal sealed record AgentChanges(string? Name = null, int? Capacity = null, string[]? Channels = null, string[]? Teams = null, string[]? Languages = null,
    string[]? Skills = null, bool? RequiresAccept = null, string? WorkingHours = null, bool ClearHours = false);

/// <summary>A customer's owners in order, and the agents who handled them lately, most recent first.</summary>
/// <param name="FollowUps">Agents whose follow-up the customer may be answering (FollowUpSent, within its answer window), latest first.</param>
internal sealed record PreferredSources(List<AgentSnapshot> Owners, List<(AgentSnapshot Agent, DateTimeOffset LastHandledAt)> History,
    List<AgentSnapshot> FollowUps);
