using Dapper;
using Routing.Contracts;

namespace Routing.Database;

/// <summary>
/// What a merge does to conversations and messages, and how an unmerge undoes it (<c>customer_merges</c> keeps the record).
/// Every method runs inside the caller's transaction, which holds both customers' row locks.
/// </summary>
internal static class MergeStore
{
    private const string Columns = ConversationStore.Columns;

    /// <summary>The customers' conversations that are not closed, locked in id order.</summary>
    public static async Task<IReadOnlyList<ConversationRow>> ActiveAsync(RoutingTransaction tx, Guid[] customerIds, CancellationToken ct) =>
        (await tx.Connection.QueryAsync<ConversationRow>(tx.Command(
            $"select {Columns} from conversations where customer_id = any(@customerIds) and status <> 'closed' order by id for update",
            new { customerIds }, ct))).ToList();

    /// <summary>
    /// Moves the absorbed conversation's messages into the kept one (the kept one takes the higher priority and the latest
    /// message time); returns the messages moved.
    /// </summary>
    public static async Task<IReadOnlyList<Guid>> MoveMessagesAsync(RoutingTransaction tx, Guid absorbed, Guid kept, CancellationToken ct) =>
        (await tx.Connection.QueryAsync<Guid>(tx.Command(
            """
            update conversations k set priority = greatest(k.priority, a.priority), last_message_at = greatest(k.last_message_at, a.last_message_at)
            from conversations a where k.id = @kept and a.id = @absorbed;
            update messages set conversation_id = @kept where conversation_id = @absorbed returning id;
            """, new { absorbed, kept }, ct))).ToList();

    public static Task SetCustomerAsync(RoutingTransaction tx, Guid conversationId, Guid customerId, CancellationToken ct) =>
        tx.Connection.ExecuteAsync(tx.Command(
            "update conversations set customer_id = @customerId where id = @conversationId", new { conversationId, customerId }, ct));

    public static Task RecordAsync(RoutingTransaction tx, Guid mergeId, Guid? kept, Guid? absorbed, Guid[] movedConversations,
        IReadOnlyList<Guid> movedMessages, CancellationToken ct) =>
        tx.Connection.ExecuteAsync(tx.Command(
            """
            update customer_merges set kept_conversation = @kept, absorbed_conversation = @absorbed, moved_conversations = @movedConversations,
                moved_messages = to_jsonb(@movedMessages::uuid[])
            where id = @mergeId
            """, new { mergeId, kept, absorbed, movedConversations, movedMessages = movedMessages.ToArray() }, ct));

    /// <summary>
    /// Undoes a merge's moves: messages moved out of the absorbed conversation go back to it; messages the restored customer's
    /// addresses wrote since the merge are theirs again; and every conversation touched (the kept, the moved, the absorbed, and
    /// the survivor's started since the merge) belongs to whoever wrote its first message. Returns the moves, for the event.
    /// </summary>
    public static async Task<(IReadOnlyList<MessageMove> Messages, IReadOnlyList<ConversationOwner> Conversations)> UndoAsync(
        RoutingTransaction tx, UnmergeScope scope, CancellationToken ct)
    {
        using var results = await tx.Connection.QueryMultipleAsync(tx.Command(
            """
            update messages set conversation_id = @absorbed
            where @absorbed::uuid is not null and id in (select jsonb_array_elements_text(moved_messages)::uuid from customer_merges where id = @mergeId)
            returning id as message_id, conversation_id;

            update messages m set customer_id = @restored
            from jsonb_to_recordset(@movedIdentities::jsonb) as i(kind text, value text)
            where m.customer_id = @survivor and m.received_at >= @mergedAt and m.sender_kind = i.kind and m.sender_value = i.value;

            with touched as (
                select id from conversations
                where id = any(@movedConversations) or id = @kept or id = @absorbed or (customer_id = @survivor and created_at >= @mergedAt)),
            owners as (
                select t.id, (select m.customer_id from messages m where m.conversation_id = t.id order by m.received_at, m.id limit 1) as customer_id
                from touched t)
            update conversations c set customer_id = o.customer_id
            from owners o where c.id = o.id and o.customer_id is not null and c.customer_id <> o.customer_id
            returning c.id as conversation_id, c.customer_id;
            """, new
            {
                scope.MergeId, scope.Kept, scope.Absorbed, scope.MovedConversations, scope.MovedIdentities,
                survivor = scope.SurvivorId, restored = scope.RestoredId, mergedAt = scope.MergedAt,
            }, ct));
        var messages = (await results.ReadAsync<(Guid MessageId, Guid ConversationId)>())
            .Select(m => new MessageMove { MessageId = m.MessageId, ConversationId = m.ConversationId }).ToList();
        var conversations = (await results.ReadAsync<(Guid ConversationId, Guid CustomerId)>())
            .Select(c => new ConversationOwner { ConversationId = c.ConversationId, CustomerId = c.CustomerId }).ToList();
        return (messages, conversations);
    }

    /// <summary>
    /// Reopens a conversation the merge closed, as waiting, when its customer has no other conversation open; the caller
    /// routes it. Returns it, or null when it stays closed.
    /// </summary>
    public static Task<ConversationRow?> ReopenAsync(RoutingTransaction tx, Guid conversationId, CancellationToken ct) =>
        tx.Connection.QuerySingleOrDefaultAsync<ConversationRow>(tx.Command(
            $"""
            update conversations c set {ConversationStore.Reopen}
            where c.id = @conversationId and c.status = 'closed' and c.close_reason = @merged
              and exists (select 1 from messages where conversation_id = c.id)
              and not exists (select 1 from conversations o where o.customer_id = c.customer_id and o.status <> 'closed')
            returning {Columns}
            """, new { conversationId, merged = CloseReasons.Merged, now = tx.Now }, ct));
}

/// <summary>A merge being undone, as customer_merges recorded it.</summary>
internal sealed record UnmergeScope(Guid MergeId, Guid SurvivorId, Guid RestoredId, DateTimeOffset MergedAt, Guid? Kept, Guid? Absorbed,
    Guid[] MovedConversations, string MovedIdentities);
