using Dapper;
using Npgsql;
using System.Text.Json;
using Routing.Addresses;

namespace Routing.Database;

/// <summary>People and their addresses. Every method runs inside the caller's transaction.</summary>
internal static class CustomerStore
{
    /// <summary>
    /// The customers behind a batch of addresses, each created when its address is new, all locked
    /// for the rest of the transaction in id order (so concurrent batches cannot deadlock on them):
    /// all routing work for one customer is serialised on that row. Two first messages of one person
    /// racing on two replicas collide on the identity's key; the loser reads the winner's row. A merge
    /// committed while we waited shows as merged_into on a row we locked; those addresses are looked up again.
    /// A display name given for an address replaces the one recorded, and names a customer who had none; a new address takes
    /// the name of the provider's profile when one came first (<see cref="ProfileStore"/>).
    /// </summary>
    public static async Task<Dictionary<NormalizedAddress, Guid>> ResolveAndLockAsync(
        NpgsqlConnection connection, NpgsqlTransaction tx, IReadOnlyDictionary<NormalizedAddress, string?> senders,
        DateTimeOffset now, CancellationToken ct)
    {
        var resolved = new Dictionary<NormalizedAddress, Guid>();
        var pending = senders.Keys.OrderBy(a => a.Kind, StringComparer.Ordinal).ThenBy(a => a.Value, StringComparer.Ordinal).ToList();
        var renamed = new List<(NormalizedAddress Address, string Name, Guid CustomerId)>();
        for (var attempt = 0; attempt < 5 && pending.Count > 0; attempt++)
        {
            // One round trip: new addresses become new people (in key order), then every address's
            // person is found and locked in id order.
            var rows = await connection.QueryAsync<(string Kind, string Value, Guid Id, Guid? MergedInto, string? IdentityName)>(new CommandDefinition(
                """
                with ins as (
                    insert into identities (kind, value, customer_id, display_name, created_at)
                    select a.kind, a.value, a.new_id, coalesce(a.display_name, p.display_name), @now
                    from unnest(@kinds::text[], @values::text[], @newIds::uuid[], @names::text[]) with ordinality as a(kind, value, new_id, display_name, n)
                    left join address_profiles p on p.kind = a.kind and p.value = a.value
                    order by a.n
                    on conflict (kind, value) do nothing
                    returning customer_id, display_name)
                insert into customers (id, display_name, created_at) select customer_id, display_name, @now from ins;

                select i.kind, i.value, c.id, c.merged_into, i.display_name
                from unnest(@kinds::text[], @values::text[]) as a(kind, value)
                join identities i on i.kind = a.kind and i.value = a.value
                join customers c on c.id = i.customer_id
                order by c.id
                for update of c;
                """,
                new
                {
                    kinds = pending.Select(a => a.Kind).ToArray(),
                    values = pending.Select(a => a.Value).ToArray(),
                    newIds = pending.Select(_ => Guid.CreateVersion7(now)).ToArray(),
                    names = pending.Select(a => senders[a]).ToArray(),
                    now,
                }, tx, cancellationToken: ct));

            foreach (var row in rows.Where(r => r.MergedInto is null))
            {
                var address = new NormalizedAddress(row.Kind, row.Value);
                resolved[address] = row.Id;
                if (senders[address] is { } name && row.IdentityName != name)
                {
                    renamed.Add((address, name, row.Id));
                }
            }
            // Left: addresses whose person was merged meanwhile, or whose insert lost to a transaction that rolled back.
            pending = pending.Where(a => !resolved.ContainsKey(a)).ToList();
        }
        if (pending.Count > 0)
        {
            throw new InvalidOperationException($"Could not resolve the customer of {pending[0].Kind}:{pending[0].Value}; the identity kept moving.");
        }

        if (renamed.Count > 0)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                """
                update identities i set display_name = r.name
                from unnest(@kinds::text[], @values::text[], @names::text[]) as r(kind, value, name)
                where i.kind = r.kind and i.value = r.value;
                update customers c set display_name = r.name
                from (select distinct on (id) id, name from unnest(@ids::uuid[], @names::text[]) as r(id, name)) r
                where c.id = r.id and c.display_name is null;
                """,
                new
                {
                    kinds = renamed.Select(r => r.Address.Kind).ToArray(),
                    values = renamed.Select(r => r.Address.Value).ToArray(),
                    names = renamed.Select(r => r.Name).ToArray(),
                    ids = renamed.Select(r => r.CustomerId).ToArray(),
                }, tx, cancellationToken: ct));
        }
        return resolved;
    }

    public static async Task<CustomerView?> GetAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, Guid customerId, CancellationToken ct)
    {
        var row = await connection.QuerySingleOrDefaultAsync<(Guid Id, string? DisplayName, DateTime CreatedAt, Guid? MergedInto, int Priority)>(new CommandDefinition(
            "select id, display_name, created_at, merged_into, priority from customers where id = @customerId",
            new { customerId }, tx, cancellationToken: ct));
        if (row.Id == Guid.Empty)
        {
            return null;
        }
        var identities = await connection.QueryAsync<IdentityView>(new CommandDefinition(
            """
            select i.kind, i.value, i.display_name, p.handle, p.picture_url, p.locale from identities i
            left join address_profiles p on p.kind = i.kind and p.value = i.value
            where i.customer_id = @customerId order by i.created_at, i.kind, i.value
            """,
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
            identities.ToList(), preferred.ToList(), history.ToList(), merged.ToList(), row.Priority);
    }

    /// <summary>Sets the customer's priority (0 ordinary; a VIP higher): their new conversations start with it.</summary>
    public static Task<int> SetPriorityAsync(NpgsqlConnection connection, NpgsqlTransaction tx, Guid customerId, int priority, CancellationToken ct) =>
        connection.ExecuteAsync(new CommandDefinition(
            "update customers set priority = @priority where id = @customerId", new { customerId, priority }, tx, cancellationToken: ct));

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

    /// <summary>
    /// Joins <paramref name="address"/> to the customer who owns <paramref name="known"/> when no one owns it yet (both rows
    /// locked: the owner's customer, and the address's). Returns the known address's customer (null: no one, as after an
    /// erasure) and the address's (the same one when it was joined now or before, another when someone else had it).
    /// </summary>
    public static async Task<(Guid? Owner, Guid? Other)> LinkAddressAsync(NpgsqlConnection connection, NpgsqlTransaction tx, NormalizedAddress known,
        NormalizedAddress address, string? displayName, DateTimeOffset now, CancellationToken ct)
    {
        var owner = await connection.QuerySingleOrDefaultAsync<Guid?>(new CommandDefinition(
            """
            select c.id from identities i join customers c on c.id = i.customer_id
            where i.kind = @kind and i.value = @value and c.merged_into is null for update of c
            """, new { kind = known.Kind, value = known.Value }, tx, cancellationToken: ct));
        if (owner is null)
        {
            return (null, null);
        }
        var other = await connection.QuerySingleAsync<Guid>(new CommandDefinition(
            """
            with joined as (
                insert into identities (kind, value, customer_id, display_name, created_at)
                values (@kind, @value, @owner, @displayName, @now)
                on conflict (kind, value) do nothing
                returning customer_id)
            select customer_id from joined
            union all
            select customer_id from identities where kind = @kind and value = @value
            limit 1
            """, new { kind = address.Kind, value = address.Value, owner, displayName, now }, tx, cancellationToken: ct));
        return (owner, other);
    }

    /// <summary>Locks the customers' rows in id order, the order every routing transaction takes them in (so none can deadlock).</summary>
    public static Task LockAsync(NpgsqlConnection connection, NpgsqlTransaction tx, Guid[] customerIds, CancellationToken ct) =>
        connection.ExecuteAsync(new CommandDefinition(
            "select 1 from customers where id = any(@customerIds) order by id for update", new { customerIds }, tx, cancellationToken: ct));

    /// <summary>The customer the latest merge into <paramref name="survivorId"/> that is not undone merged (<paramref name="mergedId"/>'s if given), unlocked.</summary>
    public static Task<Guid?> LatestMergedAsync(NpgsqlConnection connection, NpgsqlTransaction tx, Guid survivorId, Guid? mergedId, CancellationToken ct) =>
        connection.QuerySingleOrDefaultAsync<Guid?>(new CommandDefinition(
            """
            select merged_id from customer_merges
            where survivor_id = @survivorId and unmerged_at is null and (@mergedId::uuid is null or merged_id = @mergedId)
            order by merged_at desc limit 1
            """, new { survivorId, mergedId }, tx, cancellationToken: ct));

    /// <summary>Reverses a merge: the identities that moved go back, and so do the customers re-pointed with it.</summary>
    public static async Task<MergeRecord?> UnmergeAsync(NpgsqlConnection connection, NpgsqlTransaction tx, Guid survivorId, Guid? mergedId, DateTimeOffset now, CancellationToken ct)
    {
        var merge = await connection.QuerySingleOrDefaultAsync<MergeRecord>(new CommandDefinition(
            """
            select id, survivor_id, merged_id, moved_identities::text as moved_identities, repointed_customers, merged_at,
                kept_conversation, absorbed_conversation, moved_conversations
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

    internal sealed record IdentityKey(string kind, string value);
}

/// <summary>An address of the customer; handle, picture and locale are what the channel's provider said of the person (profile lookups).</summary>
internal sealed record IdentityView(string Kind, string Value, string? DisplayName, string? Handle = null, string? PictureUrl = null, string? Locale = null);

internal sealed record HistoryView(string AgentId, DateTime LastHandledAt);

internal sealed record CustomerView(
    Guid Id, string? DisplayName, DateTimeOffset CreatedAt, Guid? MergedInto,
    IReadOnlyList<IdentityView> Identities, IReadOnlyList<string> PreferredAgents,
    IReadOnlyList<HistoryView> History, IReadOnlyList<Guid> MergedCustomers, int Priority = 0);

internal sealed record MergeRecord
{
    public Guid Id { get; init; }
    public Guid SurvivorId { get; init; }
    public Guid MergedId { get; init; }
    public string MovedIdentities { get; init; } = "[]";
    public Guid[] RepointedCustomers { get; init; } = [];
    public DateTime MergedAt { get; init; }
    public Guid? KeptConversation { get; init; }
    public Guid? AbsorbedConversation { get; init; }
    public Guid[] MovedConversations { get; init; } = [];
}
