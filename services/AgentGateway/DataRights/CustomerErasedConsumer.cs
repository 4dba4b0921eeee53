using Dapper;
using MassTransit;
using Routing.AgentGateway.Attachments;
using Routing.AgentGateway.Database;
using Routing.AgentGateway.Messaging;
using Routing.Contracts;

namespace Routing.AgentGateway.DataRights;

/// <summary>
/// A customer erased in routing: the gateway's copies of what they wrote and who they are go too. Messages keep their ids,
/// times, direction and status (agents' statistics) without address, name or text; conversations lose what agents were
/// shown of the customer; the files they sent are deleted, bytes included; the events and deliveries that carried them to
/// agents' tools are deleted (one still pending is not sent); threads lose their subjects and transfer offers their notes.
/// What already reached an agent's Slack or mailbox is outside the platform. Idempotent: a redelivery finds nothing more.
/// </summary>
internal sealed class CustomerErasedConsumer(GatewayDb db, IAttachmentContent content) : IConsumer<CustomerErased>
{
    /// <summary>The events and deliveries about the conversations: their JSON's data.conversationId.</summary>
    private const string About = "(convert_from(body, 'UTF8')::jsonb -> 'data' ->> 'conversationId') = any(@conversationTexts)";

    private static readonly string[] Steps =
    [
        "delete from gateway_pending_statuses where (channel, provider_message_id) in (select channel, provider_message_id from gateway_messages where conversation_id = any(@conversations) or customer_id = any(@customers))",
        """
        update gateway_messages set address_value = 'erased', display_name = null, subject = null, body = null, attachments = '[]', thread_key = null,
            provider_message_id = null, reply_to_provider_message_id = null, error_message = null
        where conversation_id = any(@conversations) or customer_id = any(@customers)
        """,
        "update gateway_conversations set customer_display_name = null, context = '{}' where id = any(@conversations) or customer_id = any(@customers)",
        "delete from gateway_attachments where conversation_id = any(@conversations)",
        $"delete from gateway_agent_events where {About}",
        $"delete from gateway_deliveries where {About}",
        "update gateway_threads set subject = null where conversation_id = any(@conversations)",
        "update gateway_transfer_offers set note = null where conversation_id = any(@conversations)",
    ];

    public async Task Consume(ConsumeContext<CustomerErased> context)
    {
        var m = context.Message;
        Require.NotNull(m.CustomerIds, "customerIds");
        Require.NotNull(m.ConversationIds, "conversationIds");
        var ct = context.CancellationToken;
        var parameters = new
        {
            customers = m.CustomerIds.ToArray(),
            conversations = m.ConversationIds.ToArray(),
            conversationTexts = m.ConversationIds.Select(id => id.ToString()).ToArray(),
        };
        await using var tx = await db.BeginAsync(ct);
        var files = (await tx.Connection.QueryAsync<Guid>(new CommandDefinition(
            "select id from gateway_attachments where conversation_id = any(@conversations)", parameters, tx.Transaction, cancellationToken: ct))).ToList();
        foreach (var step in Steps)
        {
            await tx.Connection.ExecuteAsync(new CommandDefinition(step, parameters, tx.Transaction, cancellationToken: ct));
        }
        await tx.CommitAsync(ct);
        // the bytes where they are kept apart from the rows (Gateway:Attachments:Store filesystem); a redelivery deletes nothing twice
        foreach (var file in files)
        {
            await content.DeleteAsync(file, ct);
        }
    }
}
