using Dapper;
using Routing.AgentGateway.Attachments;
using Routing.AgentGateway.Database;

namespace Routing.AgentGateway.DataRights;

/// <summary>
/// Removing the gateway's copies of what customers wrote and who they are, for some conversations (and customers): a
/// customer's erasure, and retention of conversations closed long ago. Messages keep their ids, times, direction and
/// status (agents' statistics) without address, name or text; conversations lose what agents were shown of the customer;
/// the files customers sent are deleted, bytes included; the events and deliveries that carried them to agents' tools are
/// deleted (one still pending is not sent); threads lose their subjects and transfer offers their notes. Idempotent.
/// </summary>
internal static class ConversationErasure
{
    /// <summary>The events and deliveries about the conversations: their JSON's data.conversationId.</summary>
    private const string About = "(convert_from(body, 'UTF8')::jsonb -> 'data' ->> 'conversationId') = any(@conversationTexts)";

    private static readonly string[] Steps =
    [
        "delete from gateway_pending_statuses where (channel, provider_message_id) in (select channel, provider_message_id from gateway_messages where conversation_id = any(@conversations) or customer_id = any(@customers))",
        """
        update gateway_messages set address_value = 'erased', display_name = null, subject = null, body = null, attachments = '[]', thread_key = null,
            provider_message_id = null, reply_to_provider_message_id = null, error_message = null, post = null
        where conversation_id = any(@conversations) or customer_id = any(@customers)
        """,
        "update gateway_conversations set customer_display_name = null, context = '{}' where id = any(@conversations) or customer_id = any(@customers)",
        "delete from gateway_attachments where conversation_id = any(@conversations)",
        "delete from gateway_follow_ups where conversation_id = any(@conversations) or customer_id = any(@customers)",
        $"delete from gateway_agent_events where {About}",
        $"delete from gateway_deliveries where {About}",
        "update gateway_threads set subject = null where conversation_id = any(@conversations)",
        "update gateway_transfer_offers set note = null where conversation_id = any(@conversations)",
    ];

    /// <summary>Runs every step in the transaction; returns the files whose bytes go once it committed (<see cref="DeleteFilesAsync"/>).</summary>
    public static async Task<IReadOnlyList<Guid>> EraseAsync(GatewayTransaction tx, IReadOnlyList<Guid> conversations, IReadOnlyList<Guid> customers, CancellationToken ct)
    {
        var parameters = new
        {
            customers = customers.ToArray(),
            conversations = conversations.ToArray(),
            conversationTexts = conversations.Select(id => id.ToString()).ToArray(),
        };
        var files = (await tx.Connection.QueryAsync<Guid>(new CommandDefinition(
            "select id from gateway_attachments where conversation_id = any(@conversations)", parameters, tx.Transaction, cancellationToken: ct))).ToList();
        foreach (var step in Steps)
        {
            await tx.Connection.ExecuteAsync(new CommandDefinition(step, parameters, tx.Transaction, cancellationToken: ct));
        }
        return files;
    }

    /// <summary>The bytes where they are kept apart from the rows (Gateway:Attachments:Store filesystem); a repeat deletes nothing twice.</summary>
    public static async Task DeleteFilesAsync(IAttachmentContent content, IReadOnlyList<Guid> files, CancellationToken ct)
    {
        foreach (var file in files)
        {
            await content.DeleteAsync(file, ct);
        }
    }
}
