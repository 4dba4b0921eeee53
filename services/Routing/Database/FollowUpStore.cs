using Dapper;
using Routing.Contracts;

namespace Routing.Database;

/// <summary>Follow-ups sent to customers (follow_up_answers), which put their agent first in the customer's preferred set (<see cref="AgentStore.PreferredSourcesAsync"/>).</summary>
internal static class FollowUpStore
{
    /// <summary>Records the follow-up once (a redelivery changes nothing), for the customer it names or the one they were merged into; false when there is none.</summary>
    public static async Task<bool> RecordAsync(RoutingTransaction tx, FollowUpSent m, CancellationToken ct) =>
        await tx.Connection.ExecuteScalarAsync<bool>(tx.Command(
            """
            with customer as (select coalesce(merged_into, id) as id from customers where id = @CustomerId),
            recorded as (
                insert into follow_up_answers (follow_up_id, customer_id, agent_id, conversation_id, channel, sent_at, answer_by)
                select @FollowUpId, id, @AgentId, @ConversationId, @Channel, @SentAt, @AnswerBy from customer
                on conflict (follow_up_id) do nothing
                returning 1)
            select exists (select 1 from customer)
            """, new { m.FollowUpId, m.CustomerId, m.AgentId, m.ConversationId, m.Channel, SentAt = m.SentAt.ToUniversalTime(), AnswerBy = m.AnswerBy.ToUniversalTime() }, ct));
}
