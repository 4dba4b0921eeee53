using System.Text.Json;
using Dapper;
using Routing.Addresses;
using Routing.Contracts;

namespace Routing.Database;

/// <summary>What the supervisors' console reads beyond the API's stores: names for ids, a conversation's messages, search, a change marker.</summary>
internal static class ConsoleStore
{
    /// <summary>The customers' display names (none for a customer without one).</summary>
    public static async Task<IReadOnlyDictionary<Guid, string>> NamesAsync(RoutingTransaction tx, IEnumerable<Guid> customerIds, CancellationToken ct) =>
        (await tx.Connection.QueryAsync<(Guid Id, string Name)>(tx.Command(
            "select id, display_name from customers where id = any(@ids) and display_name is not null",
            new { ids = customerIds.Distinct().ToArray() }, ct))).ToDictionary(r => r.Id, r => r.Name);

    /// <summary>The conversation's customer messages, oldest first (the latest <paramref name="limit"/>).</summary>
    public static async Task<IReadOnlyList<ConversationMessage>> MessagesAsync(RoutingTransaction tx, Guid conversationId, int limit, CancellationToken ct) =>
        (await tx.Connection.QueryAsync<RecentMessageRow>(tx.Command(
            """
            select * from (
                select id, conversation_id, channel, sender_kind, sender_value, sender_display_name, subject, body,
                       attachments::text as attachments, received_at, visibility, post::text as post
                from messages where conversation_id = @conversationId order by received_at desc, id desc limit @limit) m
            order by received_at, id
            """, new { conversationId, limit }, ct))).Select(m => m.ToMessage()).ToList();

    /// <summary>The merges into <paramref name="customerId"/> that are not undone, latest first: who was merged, and when.</summary>
    public static async Task<IReadOnlyList<(Guid MergedId, DateTimeOffset MergedAt, IReadOnlyList<string> Addresses)>> MergesIntoAsync(
        RoutingTransaction tx, Guid customerId, CancellationToken ct) =>
        (await tx.Connection.QueryAsync<(Guid MergedId, DateTime MergedAt, string Moved)>(tx.Command(
            """
            select merged_id, merged_at, moved_identities::text from customer_merges
            where survivor_id = @customerId and unmerged_at is null order by merged_at desc
            """, new { customerId }, ct)))
        .Select(m => (m.MergedId, AgentRow.Utc(m.MergedAt),
            (IReadOnlyList<string>)(JsonSerializer.Deserialize<List<CustomerStore.IdentityKey>>(m.Moved) ?? []).Select(i => $"{i.kind}: {i.value}").ToList()))
        .ToList();

    /// <summary>
    /// Customers whose address is <paramref name="query"/> (an email, a phone number in any spelling, an id of any channel), or
    /// whose name starts with it; merged customers lead to the person they were merged into.
    /// </summary>
    public static async Task<IReadOnlyList<CustomerMatch>> SearchAsync(RoutingTransaction tx, string query, int limit, CancellationToken ct)
    {
        var values = new HashSet<string>(StringComparer.Ordinal) { query };
        foreach (var kind in new[] { "email", "phone" })
        {
            if (AddressNormalizer.TryNormalize(kind, query, out var address, out _))
            {
                values.Add(address.Value);
            }
        }
        // Every kind of address the identities hold (a skip scan over the primary key), each looked up by value.
        return (await tx.Connection.QueryAsync<CustomerMatch>(tx.Command(
            """
            with recursive kinds(kind) as (
                select min(kind) from identities
                union all
                select (select min(kind) from identities where kind > kinds.kind) from kinds where kinds.kind is not null),
            found as (
                select i.customer_id as id from kinds join identities i on i.kind = kinds.kind and i.value = any(@values)
                union
                select id from customers where lower(display_name) like @prefix escape '\' and display_name is not null)
            select distinct coalesce(c.merged_into, c.id) as id, p.display_name
            from found f join customers c on c.id = f.id join customers p on p.id = coalesce(c.merged_into, c.id)
            order by p.display_name nulls last, id limit @limit
            """, new { values = values.ToArray(), prefix = Like(query.Trim().ToLowerInvariant()) + "%", limit }, ct))).ToList();
    }

    /// <summary>
    /// A marker of the floor's state that changes whenever a decision is written (any replica), an agent changes, or a customer
    /// writes into an open conversation: three index or sequence reads, cheap enough to poll every second.
    /// </summary>
    public static Task<string> FloorMarkerAsync(RoutingTransaction tx, CancellationToken ct) =>
        tx.Connection.QuerySingleAsync<string>(tx.Command(
            """
            select concat_ws('/',
                (select last_value from decisions_seq_seq),
                (select max(updated_at) from agents),
                (select max(last_message_at) from conversations where status = 'open'))
            """, null, ct));

    private static string Like(string text) => text.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_");
}

/// <summary>A customer the console's search found.</summary>
internal sealed record CustomerMatch(Guid Id, string? DisplayName);

/// <summary>An agent's conversations, and the customers held for them, as the console's agent page shows them (nothing locked).</summary>
internal static class AgentWorkQuery
{
    public static async Task<(IReadOnlyList<ConversationRow> Open, IReadOnlyList<ConversationRow> Held)> ForAgentAsync(
        RoutingTransaction tx, string agentId, CancellationToken ct)
    {
        var rows = (await tx.Connection.QueryAsync<ConversationRow>(tx.Command(
            $"""
            select {ConversationStore.Columns} from conversations where agent_id = @agentId and status = 'open'
            union all
            select {ConversationStore.Columns} from conversations where status = 'held' and held_for @> array[@agentId]::text[]
            """, new { agentId }, ct))).ToList();
        return (rows.Where(c => c.Status == ConversationStatus.Open).OrderBy(c => c.AssignedAt).ToList(),
                rows.Where(c => c.Status == ConversationStatus.Held).OrderBy(c => c.HoldUntil).ToList());
    }
}
