using Dapper;
using Npgsql;
using Routing.Contracts;

namespace Routing.Database;

/// <summary>Notes and tags on customers (customer_notes, customer_tags), read for the customer and those merged into them.</summary>
internal static class NoteStore
{
    /// <summary>How many notes an assignment carries, newest first.</summary>
    public const int NotesInAssignment = 20;

    private const string Scope = "select id from customers where id = @customerId or merged_into = @customerId";

    private const string Notes = $"select id, text, author, conversation_id, written_at from customer_notes where customer_id in ({Scope}) order by written_at desc, id desc";

    private const string Tags = $"select distinct tag from customer_tags where customer_id in ({Scope}) order by tag";

    /// <summary>The notes (newest first, at most @noteLimit) and the tags of @customerId: two result sets.</summary>
    public const string Sql = $"{Notes} limit @noteLimit; {Tags}";

    /// <summary>The same for an assignment (<see cref="AgentContextQuery"/>): at most <see cref="NotesInAssignment"/> notes.</summary>
    public const string AssignmentSql = $"{Notes} limit 20; {Tags}";

    public static async Task<(IReadOnlyList<CustomerNote> Notes, IReadOnlyList<string> Tags)> ReadAsync(SqlMapper.GridReader results)
    {
        var notes = (await results.ReadAsync<(Guid Id, string Text, string Author, Guid? ConversationId, DateTime WrittenAt)>())
            .Select(n => new CustomerNote { NoteId = n.Id, Text = n.Text, Author = n.Author, ConversationId = n.ConversationId, WrittenAt = AgentRow.Utc(n.WrittenAt) })
            .ToList();
        return (notes, (await results.ReadAsync<string>()).ToList());
    }

    public static async Task<(IReadOnlyList<CustomerNote> Notes, IReadOnlyList<string> Tags)> ForCustomerAsync(NpgsqlConnection connection, NpgsqlTransaction? tx,
        Guid customerId, int noteLimit, CancellationToken ct)
    {
        using var results = await connection.QueryMultipleAsync(new CommandDefinition(Sql, new { customerId, noteLimit }, tx, cancellationToken: ct));
        return await ReadAsync(results);
    }

    /// <summary>Writes the note (once per id), changes the tags and names the customer; the customer is the one the id names now (a merged one's survivor).</summary>
    public static async Task AnnotateAsync(RoutingTransaction tx, Guid customerId, Guid noteId, string author, Guid? conversationId, string? note,
        IReadOnlyList<string> addTags, IReadOnlyList<string> removeTags, string? name, CancellationToken ct)
    {
        if (name is not null)
        {
            await tx.Connection.ExecuteAsync(tx.Command("update customers set display_name = @name where id = @customerId", new { customerId, name }, ct));
        }
        if (note is not null)
        {
            await tx.Connection.ExecuteAsync(tx.Command(
                """
                insert into customer_notes (id, customer_id, author, conversation_id, text, written_at)
                values (@noteId, @customerId, @author, @conversationId, @note, @now) on conflict (id) do nothing
                """, new { noteId, customerId, author, conversationId, note, now = tx.Now }, ct));
        }
        if (addTags.Count > 0)
        {
            await tx.Connection.ExecuteAsync(tx.Command(
                """
                insert into customer_tags (customer_id, tag, added_by, added_at)
                select @customerId, t, @author, @now from unnest(@addTags::text[]) t
                where not exists (select 1 from customer_tags x where x.tag = t and x.customer_id in (select id from customers where id = @customerId or merged_into = @customerId))
                on conflict do nothing
                """, new { customerId, author, addTags = addTags.ToArray(), now = tx.Now }, ct));
        }
        if (removeTags.Count > 0)
        {
            await tx.Connection.ExecuteAsync(tx.Command(
                $"delete from customer_tags where customer_id in ({Scope}) and tag = any(@removeTags)",
                new { customerId, removeTags = removeTags.ToArray() }, ct));
        }
    }

    /// <summary>Removes a note (an operator's decision: a note that should not have been written); false when the customer has no such note.</summary>
    public static async Task<bool> DeleteAsync(RoutingTransaction tx, Guid customerId, Guid noteId, CancellationToken ct) =>
        await tx.Connection.ExecuteAsync(tx.Command($"delete from customer_notes where id = @noteId and customer_id in ({Scope})", new { customerId, noteId }, ct)) > 0;

    /// <summary>The customer a conversation's customer is now (a merged one's survivor), if the agent serves or served the conversation.</summary>
    public static Task<Guid?> CustomerServedByAsync(RoutingTransaction tx, Guid conversationId, string agentId, CancellationToken ct) =>
        tx.Connection.QuerySingleOrDefaultAsync<Guid?>(tx.Command(
            """
            select coalesce(c.merged_into, c.id) from conversations v join customers c on c.id = v.customer_id
            where v.id = @conversationId
              and (v.agent_id = @agentId or exists (select 1 from decisions d where d.conversation_id = v.id and d.agent_id = @agentId and d.outcome = 'assigned'))
            """, new { conversationId, agentId }, ct));
}
