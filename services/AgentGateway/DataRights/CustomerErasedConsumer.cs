using MassTransit;
using Routing.AgentGateway.Attachments;
using Routing.AgentGateway.Database;
using Routing.AgentGateway.Messaging;
using Routing.Contracts;

namespace Routing.AgentGateway.DataRights;

/// <summary>
/// A customer erased in routing: the gateway's copies of what they wrote and who they are go too (<see cref="ConversationErasure"/>).
/// What already reached an agent's Slack or mailbox is outside the platform. Idempotent: a redelivery finds nothing more.
/// </summary>
internal sealed class CustomerErasedConsumer(GatewayDb db, IAttachmentContent content) : IConsumer<CustomerErased>
{
    public async Task Consume(ConsumeContext<CustomerErased> context)
    {
        var m = context.Message;
        Require.NotNull(m.CustomerIds, "customerIds");
        Require.NotNull(m.ConversationIds, "conversationIds");
        var ct = context.CancellationToken;
        await using var tx = await db.BeginAsync(ct);
        var files = await ConversationErasure.EraseAsync(tx, m.ConversationIds, m.CustomerIds, ct);
        await tx.CommitAsync(ct);
        await ConversationErasure.DeleteFilesAsync(content, files, ct);
    }
}
