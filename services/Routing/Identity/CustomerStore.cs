using Dapper;
using Npgsql;
using System.Text.Json;

namespace Routing.Identity;

/// <summary>People and their addresses. Every method runs inside the caller's transaction.</summary>
internal static class CustomerStore
{
    /// <summary>
    /// The customer behind an address, created when the address is new. Two first messages of one
    /// person racing on two replicas collide on the identity's key; the loser reads the winner's row.
    /// Returns the customer id, locked for the rest of the transaction: all routing work for one
    /// customer is serialised on that row.
    /// </summary>
    public static async Task<(Guid CustomerId, bool Created)> ResolveAndLockAsync(
        NpgsqlConnection connection, NpgsqlTransaction tx, NormalizedAddress address, string? displayName,
        DateTimeOffset now, CancellationToken ct)
    {
        for (var attempt = 0; attempt < 5; attempt++)
        {
            // One round trip: find the person and lock them. A merge committed while we waited shows
            // as merged_into on the row we locked; then the identity has moved, so look again.
            var found = await connection.QuerySingleOrDefaultAsync<(Guid Id, Guid? MergedInto, string? IdentityName)?>(new CommandDefinition(
                """
                select c.id, c.merged_into, i.display_name from identities i join customers c on c.id = i.customer_id
                where i.kind = @Kind and i.value = @Value
                for update of c
                """, address, tx, cancellationToken: ct));
            if (found is { MergedInto: null } person)
            {
                if (displayName is not null && person.IdentityName != displayName)
                {
                    await connection.ExecuteAsync(new CommandDefinition(
                        """
                        update identities set display_name = @displayName where kind = @Kind and value = @Value;
                        update customers set display_name = @displayName where id = @id and display_name is null;
                        """, new { address.Kind, address.Value, displayName, id = person.Id }, tx, cancellationToken: ct));
                }
                return (person.Id, false);
            }
            if (found is not null)
            {
                continue;
            }

            var newId = Guid.CreateVersion7(now);
            var inserted = await connection.QuerySingleOrDefaultAsync<Guid?>(new CommandDefinition(
                """
                insert into identities (kind, value, customer_id, display_name, created_at)
                values (@Kind, @Value, @newId, @displayName, @now)
                on conflict (kind, value) do nothing
                returning customer_id
                """, new { address.Kind, address.Value, newId, displayName, now }, tx, cancellationToken: ct));
            if (inserted is not null)
            {
                await connection.ExecuteAsync(new CommandDefinition(
                    "insert into customers (id, display_name, created_at) values (@newId, @displayName, @now)",
                    new { newId, displayName, now }, tx, cancellationToken: ct));
                return (newId, true);
            }
            // Another first message of this person won the insert; its customer is committed now.
        }
        throw new InvalidOperationException($"Could not resolve the customer of {address.Kind}:{address.Value}; the identity kept moving.");
    }

    /// <summary>What an agent is told about the person: their name and every known address.</summary>
    public static async Task<(string? DisplayName, IReadOnlyList<IdentityView> Identities)> ContextAsync(
        NpgsqlConnection connection, NpgsqlTransaction tx, Guid customerId, CancellationToken ct)
    {
        var rows = (await connection.QueryAsync<(string? CustomerName, string? Kind, string? Value, string? DisplayName)>(new CommandDefinition(
            """
            select c.display_name, i.kind, i.value, i.display_name from customers c
            left join identities i on i.customer_id = c.id
            where c.id = @customerId order by i.created_at, i.kind, i.value
            """, new { customerId }, tx, cancellationToken: ct))).ToList();
        return (rows.FirstOrDefault().CustomerName,
            rows.Where(r => r.Kind is not null).Select(r => new IdentityView(r.Kind!, r.Value!, r.DisplayName)).ToList());
    }

    public static async Task<CustomerView?> GetAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, Guid customerId, CancellationToken ct)
    {
        var row = await connection.QuerySingleOrDefaultAsync<(Guid Id, string? DisplayName, DateTime CreatedAt, Guid? MergedInto)>(new CommandDefinition(
            "select id, display_name, created_at, merged_into from customers where id = @customerId",
            new { customerId }, tx, cancellationToken: ct));
        if (row.Id == Guid.Empty)
        {
            return null;
        }
        var identities = await connection.QueryAsync<IdentityView>(new CommandDefinition(
            "select kind, value, display_name from identities where customer_id = @customerId order by created_at, kind, value",
            new { customerId }, tx, cancellationToken: ct));
        var preferred = await connection.QueryAsync<string>(new CommandDefinition(
            "select agent_id from preferred_agents where customer_id = @customerId order by position",
            new { customerId }, tx, cancellationToken: ct));
        var history = await connection.QueryAsync<HistoryView>(new CommandDefinition(
            """
            select agent_id, max(last_handled_at) as last_handled_at from agent_history
            where customer_id in (select id from customers where id = @customerId or merged_into = @customerId)
            group by agent_id order by max(last_handled_at) desc, agent_id
            """, new { customerId }, tx, cancellationToken: ct));
        var merged = await connection.QueryAsync<Guid>(new CommandDefinition(
            "select id from customers where merged_into = @customerId order by id", new { customerId }, tx, cancellationToken: ct));
        return new CustomerView(row.Id, row.DisplayName, new DateTimeOffset(row.CreatedAt, TimeSpan.Zero), row.MergedInto,
            identities.ToList(), preferred.ToList(), history.ToList(), merged.ToList());
    }

    public static async Task SetPreferredAgentsAsync(NpgsqlConnection connection, NpgsqlTransaction tx, Guid customerId, IReadOnlyList<string> agentIds, CancellationToken ct)
    {
        await connection.ExecuteAsync(new CommandDefinition(
            "delete from preferred_agents where customer_id = @customerId", new { customerId }, tx, cancellationToken: ct));
        await connection.ExecuteAsync(new CommandDefinition(
            """
            insert into preferred_agents (customer_id, agent_id, position)
            select @customerId, a.agent_id, a.position from unnest(@agentIds::text[]) with ordinality as a(agent_id, position)
            """, new { customerId, agentIds = agentIds.ToArray() }, tx, cancellationToken: ct));
    }

    /// <summary>
    /// Moves every identity of <paramref name="mergedId"/> to <paramref name="survivorId"/> and points
    /// customers previously merged into it at the survivor; the record of what moved makes it reversible.
    /// </summary>
    public static async Task<Guid> MergeAsync(NpgsqlConnection connection, NpgsqlTransaction tx, Guid survivorId, Guid mergedId, DateTimeOffset now, CancellationToken ct)
    {
        var moved = (await connection.QueryAsync<(string Kind, string Value)>(new CommandDefinition(
            "update identities set customer_id = @survivorId where customer_id = @mergedId returning kind, value",
            new { survivorId, mergedId }, tx, cancellationToken: ct))).Select(i => new { kind = i.Kind, value = i.Value }).ToList();
        var repointed = (await connection.QueryAsync<Guid>(new CommandDefinition(
            "update customers set merged_into = @survivorId where merged_into = @mergedId returning id",
            new { survivorId, mergedId }, tx, cancellationToken: ct))).ToArray();
        await connection.ExecuteAsync(new CommandDefinition(
            "update customers set merged_into = @survivorId where id = @mergedId", new { survivorId, mergedId }, tx, cancellationToken: ct));
        var mergeId = Guid.CreateVersion7(now);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            insert into customer_merges (id, survivor_id, merged_id, moved_identities, repointed_customers, merged_at)
            values (@mergeId, @survivorId, @mergedId, @moved::jsonb, @repointed, @now)
            """, new { mergeId, survivorId, mergedId, moved = JsonSerializer.Serialize(moved), repointed, now }, tx, cancellationToken: ct));
        return mergeId;
    }

    /// <summary>Reverses a merge: the identities that moved go back, and so do the customers re-pointed with it.</summary>
    public static async Task<MergeRecord?> UnmergeAsync(NpgsqlConnection connection, NpgsqlTransaction tx, Guid survivorId, Guid? mergedId, DateTimeOffset now, CancellationToken ct)
    {
        var merge = await connection.QuerySingleOrDefaultAsync<MergeRecord>(new CommandDefinition(
            """
            select id, survivor_id, merged_id, moved_identities::text as moved_identities, repointed_customers
            from customer_merges
            where survivor_id = @survivorId and unmerged_at is null and (@mergedId::uuid is null or merged_id = @mergedId)
            order by merged_at desc limit 1
            for update
            """, new { survivorId, mergedId }, tx, cancellationToken: ct));
        if (merge is null)
        {
            return null;
        }
        var moved = JsonSerializer.Deserialize<List<IdentityKey>>(merge.MovedIdentities) ?? [];
        await connection.ExecuteAsync(new CommandDefinition(
            """
            update identities i set customer_id = @MergedId
            from unnest(@kinds::text[], @values::text[]) as m(kind, value)
            where i.kind = m.kind and i.value = m.value and i.customer_id = @SurvivorId
            """, new { merge.MergedId, merge.SurvivorId, kinds = moved.Select(m => m.kind).ToArray(), values = moved.Select(m => m.value).ToArray() }, tx, cancellationToken: ct));
        await connection.ExecuteAsync(new CommandDefinition(
            "update customers set merged_into = null where id = @MergedId", new { merge.MergedId }, tx, cancellationToken: ct));
        await connection.ExecuteAsync(new CommandDefinition(
            "update customers set merged_into = @MergedId where id = any(@RepointedCustomers) and merged_into = @SurvivorId",
            new { merge.MergedId, merge.SurvivorId, merge.RepointedCustomers }, tx, cancellationToken: ct));
        await connection.ExecuteAsync(new CommandDefinition(
            "update customer_merges set unmerged_at = @now where id = @Id", new { merge.Id, now }, tx, cancellationToken: ct));
        return merge;
    }

    private sealed record IdentityKey(string kind, string value);
}

internal sealed record IdentityView(string Kind, string Value, string? DisplayName);

internal sealed record HistoryView(string AgentId, DateTime LastHandledAt);

internal sealed record CustomerView(
    Guid Id, string? DisplayName, DateTimeOffset CreatedAt, Guid? MergedInto,
    IReadOnlyList<IdentityView> Identities, IReadOnlyList<string> PreferredAgents,
    IReadOnlyList<HistoryView> History, IReadOnlyList<Guid> MergedCustomers);

internal sealed record MergeRecord
{
    public Guid Id { get; init; }
    public Guid SurvivorId { get; init; }
    public Guid MergedId { get; init; }
    public string MovedIdentities { get; init; } = "[]";
    public Guid[] RepointedCustomers { get; init; } = [];
}
