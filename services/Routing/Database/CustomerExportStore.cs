using System.Text.Json;
using Dapper;
using Npgsql;

namespace Routing.Database;

/// <summary>
/// Everything routing's database holds about one customer, table by table, as the rows are (every column, so a column
/// added later is exported without a change here). <see cref="Tables"/> says how each table that can hold a person's data
/// finds the customer's rows; <see cref="NotPersonal"/> says why the others hold none. A table in neither list fails
/// CustomerExportTests, so a new table is classified when it is created.
/// </summary>
internal static class CustomerExportStore
{
    /// <summary>The customer and every customer merged into it (@id: the customer asked for): their data goes with theirs.</summary>
    internal const string Customers = "select id from customers where id = @id or merged_into = @id";

    /// <summary>Their conversations.</summary>
    internal const string Conversations = $"select id from conversations where customer_id in ({Customers})";

    /// <summary>Each table's rows of the customer, by the ids above (@id: the customer asked for).</summary>
    public static readonly IReadOnlyDictionary<string, string> Tables = new Dictionary<string, string>
    {
        ["customers"] = $"select * from customers where id in ({Customers}) order by created_at",
        ["identities"] = $"select * from identities where customer_id in ({Customers}) order by created_at",
        ["address_profiles"] = $"select p.* from address_profiles p join identities i on i.kind = p.kind and i.value = p.value where i.customer_id in ({Customers}) order by p.observed_at",
        ["customer_notes"] = $"select * from customer_notes where customer_id in ({Customers}) order by written_at",
        ["follow_up_answers"] = $"select * from follow_up_answers where customer_id in ({Customers}) order by sent_at",
        ["customer_tags"] = $"select * from customer_tags where customer_id in ({Customers}) order by added_at, tag",
        ["preferred_agents"] = $"select * from preferred_agents where customer_id in ({Customers}) order by position",
        ["agent_history"] = $"select * from agent_history where customer_id in ({Customers}) order by last_handled_at",
        ["customer_merges"] = $"select * from customer_merges where survivor_id in ({Customers}) or merged_id in ({Customers}) order by merged_at",
        ["conversations"] = $"select * from conversations where id in ({Conversations}) order by created_at",
        ["messages"] = $"select * from messages where customer_id in ({Customers}) or conversation_id in ({Conversations}) order by received_at, id",
        ["decisions"] = $"select * from decisions where conversation_id in ({Conversations}) order by at, seq",
        ["transfers"] = $"select * from transfers where conversation_id in ({Conversations}) order by requested_at",
        ["timers"] = $"select * from timers where conversation_id in ({Conversations}) order by due_at",
        ["delivery_nonces"] = $"select * from delivery_nonces where message_id in (select id from messages where conversation_id in ({Conversations})) order by seen_at",
        // events not yet published (seconds, normally) or quarantined: their payload names the customer or a conversation of theirs
        ["outbox"] = $"select * from outbox where payload::text like any (select '%' || id::text || '%' from ({Customers} union all {Conversations}) ids) order by id",
        ["outbox_quarantine"] = $"select * from outbox_quarantine where payload::text like any (select '%' || id::text || '%' from ({Customers} union all {Conversations}) ids) order by id",
    };

    /// <summary>The tables that hold nothing about a customer, and why.</summary>
    public static readonly IReadOnlyDictionary<string, string> NotPersonal = new Dictionary<string, string>
    {
        ["agents"] = "the centre's agents, their settings and load",
        ["presence_changes"] = "agents' presence over time",
        ["team_hours"] = "teams' working hours",
        ["data_protection_keys"] = "the service's keys for the console's cookies",
        ["schema_migrations"] = "which migrations ran",
        ["data_rights_audit"] = "who exported or erased which customer id, and when: no address, name or text",
    };

    /// <summary>The customer's rows of every table in <see cref="Tables"/>, each table a JSON array of its rows; null when there is no such customer.</summary>
    public static async Task<IReadOnlyDictionary<string, JsonElement>?> ReadAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid customerId,
        CancellationToken ct)
    {
        // one snapshot for every table (the first statement of the transaction), so the tables agree with each other
        await connection.ExecuteAsync(new CommandDefinition("set transaction isolation level repeatable read", transaction: transaction, cancellationToken: ct));
        if (await connection.ExecuteScalarAsync<int>(new CommandDefinition("select count(*) from customers where id = @id",
                new { id = customerId }, transaction, cancellationToken: ct)) == 0)
        {
            return null;
        }
        var export = new SortedDictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var (table, query) in Tables)
        {
            var json = await connection.ExecuteScalarAsync<string>(new CommandDefinition(
                $"select coalesce(json_agg(row_to_json(t)), '[]') from ({query}) t", new { id = customerId }, transaction, cancellationToken: ct));
            using var document = JsonDocument.Parse(json ?? "[]");
            export[table] = document.RootElement.Clone();
        }
        return export;
    }
}
