using Dapper;
using Npgsql;

namespace Routing.Database;

/// <summary>
/// A customer's right to erasure on routing's data: everything that could name or describe the person is removed or
/// overwritten, for the customer and the customers merged into them; what routing's statistics need stays, about nobody
/// (conversations' channels, times, agents and measures; routing's receipts; the history of which agents served the
/// customer id, which nothing links to a person any more). <see cref="Steps"/> is table by table what happens; every
/// table <see cref="CustomerExportStore.Tables"/> exports is in it, so nothing exported is left behind (CustomerExportTests).
/// </summary>
internal static class CustomerErasureStore
{
    private const string Customers = CustomerExportStore.Customers;

    private const string Conversations = CustomerExportStore.Conversations;

    /// <summary>Each table's statement, run in this order (delivery nonces before the messages they name are changed).</summary>
    public static readonly IReadOnlyList<(string Table, string Sql)> Steps =
    [
        ("delivery_nonces", $"delete from delivery_nonces where message_id in (select id from messages where customer_id in ({Customers}) or conversation_id in ({Conversations}))"),
        ("messages", $"""
            update messages set sender_value = 'erased', sender_display_name = null, subject = null, body = null, attachments = '[]',
                thread_key = null, provider_message_id = 'erased:' || id::text, reply_to_provider_message_id = null, post = null
            where customer_id in ({Customers}) or conversation_id in ({Conversations})
            """),
        // what providers said of the person, by their addresses (before the addresses go)
        ("address_profiles", $"delete from address_profiles p using identities i where i.kind = p.kind and i.value = p.value and i.customer_id in ({Customers})"),
        // what agents wrote about the person
        ("customer_notes", $"delete from customer_notes where customer_id in ({Customers})"),
        ("follow_up_answers", $"delete from follow_up_answers where customer_id in ({Customers})"),
        ("customer_tags", $"delete from customer_tags where customer_id in ({Customers})"),
        ("identities", $"delete from identities where customer_id in ({Customers})"),
        ("customers", $"update customers set display_name = null where id in ({Customers})"),
        ("customer_merges", $"update customer_merges set moved_identities = '[]', moved_messages = '[]' where survivor_id in ({Customers}) or merged_id in ({Customers})"),
        ("conversations", $"update conversations set thread_key = null where id in ({Conversations})"),
        // agents' notes on a transfer may describe the person
        ("transfers", $"update transfers set note = null where conversation_id in ({Conversations})"),
        ("outbox_quarantine", $"delete from outbox_quarantine where payload::text like any (select '%' || id::text || '%' from ({Customers} union all {Conversations}) ids)"),
        // ids, agents and times only: kept for routing's statistics and for what is still due
        ("preferred_agents", "select 0"),
        ("agent_history", "select 0"),
        ("decisions", "select 0"),
        ("timers", "select 0"),
        // events not yet published carry what they carry; they go out within seconds, and the CustomerErased published with
        // this erasure tells every copy to go
        ("outbox", "select 0"),
    ];

    /// <summary>The customer and the customers merged into them, and their conversations; empty when there is no such customer.</summary>
    public static async Task<(IReadOnlyList<Guid> Customers, IReadOnlyList<Guid> Conversations)> ScopeAsync(NpgsqlConnection connection, NpgsqlTransaction transaction,
        Guid customerId, CancellationToken ct)
    {
        var customers = (await connection.QueryAsync<Guid>(new CommandDefinition(Customers + " for update", new { id = customerId }, transaction, cancellationToken: ct))).ToList();
        var conversations = (await connection.QueryAsync<Guid>(new CommandDefinition(Conversations, new { id = customerId }, transaction, cancellationToken: ct))).ToList();
        return (customers, conversations);
    }

    /// <summary>Runs every step; returns the rows each changed.</summary>
    public static async Task<IReadOnlyDictionary<string, int>> EraseAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid customerId,
        CancellationToken ct)
    {
        var rows = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var (table, sql) in Steps)
        {
            rows[table] = sql == "select 0" ? 0 : await connection.ExecuteAsync(new CommandDefinition(sql, new { id = customerId }, transaction, cancellationToken: ct));
        }
        return rows;
    }

    /// <summary>The audit record of an export or an erasure: ids, the operator and counts, nothing of the person.</summary>
    public static Task AuditAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid id, string action, Guid customerId, string operatorName,
        DateTimeOffset at, IReadOnlyDictionary<string, int> rows, CancellationToken ct) =>
        connection.ExecuteAsync(new CommandDefinition(
            "insert into data_rights_audit (id, action, customer_id, operator, at, rows) values (@id, @action, @customerId, @operatorName, @at, @rows::jsonb)",
            new { id, action, customerId, operatorName, at, rows = System.Text.Json.JsonSerializer.Serialize(rows) }, transaction, cancellationToken: ct));
}
