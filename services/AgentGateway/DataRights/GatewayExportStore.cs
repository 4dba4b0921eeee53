using System.Text.Json;
using Dapper;
using Npgsql;

namespace Routing.AgentGateway.DataRights;

/// <summary>
/// Everything the gateway's database holds about one customer, table by table: its copies of their conversations and
/// messages, the events and deliveries that carried them to agents' tools (the JSON those carry, readable), the files they
/// sent (the bytes, base64), the threads in agents' tools, agents' replies written there, transfers offered with their
/// notes. Every query returns one JSON object per row (every column). <see cref="NotPersonal"/> says why the other tables
/// hold nothing about a customer; a table in neither list fails GatewayExportTests.
/// </summary>
internal static class GatewayExportStore
{
    private const string Conversations = "select id from gateway_conversations where customer_id = @id";

    /// <summary>The events and deliveries whose JSON is about one of the customer's conversations (data.conversationId).</summary>
    private const string AboutTheCustomer = $"(convert_from(body, 'UTF8')::jsonb -> 'data' ->> 'conversationId')::uuid in ({Conversations})";

    public static readonly IReadOnlyDictionary<string, string> Tables = new Dictionary<string, string>
    {
        ["gateway_conversations"] = "select to_jsonb(t) as row from gateway_conversations t where customer_id = @id",
        ["gateway_messages"] = $"select to_jsonb(t) as row from gateway_messages t where customer_id = @id or conversation_id in ({Conversations}) order by at, id",
        ["gateway_attachments"] = $"select to_jsonb(t) as row from gateway_attachments t where conversation_id in ({Conversations}) order by message_id, position",
        ["gateway_attachment_content"] = $"""
            select (to_jsonb(t) - 'content') || jsonb_build_object('content_base64', encode(t.content, 'base64')) as row
            from gateway_attachment_content t where id in (select id from gateway_attachments where conversation_id in ({Conversations}))
            """,
        ["gateway_agent_events"] = $"""
            select (to_jsonb(t) - 'body') || jsonb_build_object('body', convert_from(t.body, 'UTF8')::jsonb) as row
            from gateway_agent_events t where {AboutTheCustomer} order by seq
            """,
        ["gateway_deliveries"] = $"""
            select (to_jsonb(t) - 'body') || jsonb_build_object('body', convert_from(t.body, 'UTF8')::jsonb) as row
            from gateway_deliveries t where {AboutTheCustomer} order by created_at
            """,
        ["gateway_follow_ups"] = $"select to_jsonb(t) as row from gateway_follow_ups t where customer_id = @id or conversation_id in ({Conversations}) order by due_at",
        ["gateway_threads"] = $"select to_jsonb(t) as row from gateway_threads t where conversation_id in ({Conversations}) order by created_at",
        ["gateway_tool_replies"] = $"select to_jsonb(t) as row from gateway_tool_replies t where reply_id in (select id from gateway_messages where conversation_id in ({Conversations}))",
        ["gateway_transfer_offers"] = $"select to_jsonb(t) as row from gateway_transfer_offers t where conversation_id in ({Conversations}) order by offered_at",
        ["gateway_pending_statuses"] = $"""
            select to_jsonb(t) as row from gateway_pending_statuses t
            where (channel, provider_message_id) in (select channel, provider_message_id from gateway_messages where conversation_id in ({Conversations}))
            """,
    };

    public static readonly IReadOnlyDictionary<string, string> NotPersonal = new Dictionary<string, string>
    {
        ["gateway_targets"] = "agents' tools: their webhook URLs, Slack users and mailboxes",
        ["gateway_agent_tokens"] = "agents' API tokens (hashed)",
        ["gateway_schema_migrations"] = "which migrations ran",
    };

    /// <summary>The customer's rows of every table in <see cref="Tables"/>; null when the gateway has no conversation of theirs.</summary>
    public static async Task<IReadOnlyDictionary<string, JsonElement>?> ReadAsync(NpgsqlDataSource db, Guid customerId, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
        if (await connection.ExecuteScalarAsync<int>(new CommandDefinition($"select count(*) from ({Conversations}) c", new { id = customerId }, transaction, cancellationToken: ct)) == 0)
        {
            return null;
        }
        var export = new SortedDictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var (table, query) in Tables)
        {
            var json = await connection.ExecuteScalarAsync<string>(new CommandDefinition(
                $"select coalesce(jsonb_agg(t.row), '[]')::text from ({query}) t", new { id = customerId }, transaction, cancellationToken: ct));
            using var document = JsonDocument.Parse(json ?? "[]");
            export[table] = document.RootElement.Clone();
        }
        return export;
    }
}
