using System.Text.Json;
using Dapper;
using Routing.Contracts;
using Routing.Outbox;

namespace Routing.Database;

/// <summary>
/// What an agent is told with an assignment, read in the assignment's own round trip once the slot is taken
/// (<see cref="AssignmentStore"/>): the person (@customerId: their name and every known address), the conversation's
/// latest @limit messages (@conversationId), the customer's owners in order, the agents who served them (or a customer
/// merged into them), most recent first, the latest @earlierLimit messages of their other conversations, and what agents
/// wrote down about them (<see cref="NoteStore"/>).
/// </summary>
internal static class AgentContextQuery
{
    /// <summary>How many messages of the customer's earlier conversations ConversationAssigned carries.</summary>
    public const int EarlierMessageLimit = 10;

    /// <summary>Seven result sets, read by <see cref="ReadAsync"/> in this order (the last two: the customer's notes and tags).</summary>
    public const string Sql = """
        select c.display_name as customer_name, i.kind, i.value, i.display_name from customers c
        left join identities i on i.customer_id = c.id
        where c.id = @customerId order by i.created_at, i.kind, i.value;
        select * from (
            select id, channel, sender_kind, sender_value, sender_display_name, subject, body, attachments::text as attachments, received_at,
                visibility, post::text as post
            from messages where conversation_id = @conversationId order by received_at desc, id desc limit @limit
        ) m order by received_at, id;
        select agent_id from preferred_agents where customer_id = @customerId order by position;
        select agent_id as AgentId, max(last_handled_at) as LastHandledAt from agent_history
        where customer_id in (select id from customers where id = @customerId or merged_into = @customerId)
        group by agent_id order by max(last_handled_at) desc, agent_id limit 20;
        select * from (
            select id, conversation_id, channel, sender_kind, sender_value, sender_display_name, subject, body, attachments::text as attachments, received_at,
                visibility, post::text as post
            from messages
            where customer_id in (select id from customers where id = @customerId or merged_into = @customerId) and conversation_id <> @conversationId
            order by received_at desc, id desc limit @earlierLimit
        ) m order by received_at, id;
        """ + NoteStore.AssignmentSql;

    /// <summary>The context of a conversation on its own (a warm transfer's offer shows the receiver what it is about).</summary>
    public static async Task<AssignedContext> LoadAsync(RoutingTransaction tx, ConversationRow conversation, int limit, CancellationToken ct)
    {
        using var results = await tx.Connection.QueryMultipleAsync(tx.Command(Sql, new
        {
            customerId = conversation.CustomerId,
            conversationId = conversation.Id,
            limit,
            earlierLimit = EarlierMessageLimit,
        }, ct));
        return await ReadAsync(results);
    }

    public static async Task<AssignedContext> ReadAsync(SqlMapper.GridReader results)
    {
        var person = (await results.ReadAsync<ContextRow>()).ToList();
        var recent = Messages(await results.ReadAsync<RecentMessageRow>());
        var preferred = (await results.ReadAsync<string>()).ToList();
        var history = (await results.ReadAsync<(string AgentId, DateTime LastHandledAt)>())
            .Select(h => new AgentRelationship { AgentId = h.AgentId, LastHandledAt = AgentRow.Utc(h.LastHandledAt) }).ToList();
        var earlier = Messages(await results.ReadAsync<RecentMessageRow>());
        var (notes, tags) = await NoteStore.ReadAsync(results);
        return new AssignedContext(person.FirstOrDefault()?.CustomerName,
            person.Where(r => r.Kind is not null).Select(r => new IdentityView(r.Kind!, r.Value!, r.DisplayName)).ToList(),
            recent, preferred, history, earlier, notes, tags);
    }

    private static List<ConversationMessage> Messages(IEnumerable<RecentMessageRow> rows) => rows.Select(r => r.ToMessage()).ToList();
}

internal sealed record ContextRow
{
    public string? CustomerName { get; init; }
    public string? Kind { get; init; }
    public string? Value { get; init; }
    public string? DisplayName { get; init; }
}

internal record RecentMessageRow
{
    public Guid Id { get; init; }
    public Guid? ConversationId { get; init; }
    public string Channel { get; init; } = "";
    public string SenderKind { get; init; } = "";
    public string SenderValue { get; init; } = "";
    public string? SenderDisplayName { get; init; }
    public string? Subject { get; init; }
    public string? Body { get; init; }
    public string Attachments { get; init; } = "[]";
    public DateTime ReceivedAt { get; init; }
    public string Visibility { get; init; } = MessageVisibility.Private;
    public string? Post { get; init; }

    public ConversationMessage ToMessage() => new()
    {
        MessageId = Id,
        ConversationId = ConversationId,
        Channel = Channel,
        Sender = new CustomerAddress { Kind = SenderKind, Value = SenderValue, DisplayName = SenderDisplayName },
        Subject = Subject,
        Text = Body,
        Attachments = JsonSerializer.Deserialize<List<MessageAttachment>>(Attachments, ContractTypes.Json) ?? [],
        Visibility = Visibility,
        Post = Post is null ? null : JsonSerializer.Deserialize<PublicPost>(Post, ContractTypes.Json),
        ReceivedAt = AgentRow.Utc(ReceivedAt),
    };
}

internal sealed record AssignedContext(string? CustomerName, IReadOnlyList<IdentityView> Identities, IReadOnlyList<ConversationMessage> RecentMessages,
    IReadOnlyList<string> PreferredAgents, IReadOnlyList<AgentRelationship> History, IReadOnlyList<ConversationMessage> EarlierMessages,
    IReadOnlyList<CustomerNote> Notes, IReadOnlyList<string> Tags);
