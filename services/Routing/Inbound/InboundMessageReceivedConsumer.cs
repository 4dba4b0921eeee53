using MassTransit;
using Routing.Contracts;

namespace Routing.Inbound;

internal sealed class InboundMessageReceivedConsumer(InboundBatcher router, ILogger<InboundMessageReceivedConsumer> logger) : IConsumer<InboundMessageReceived>
{
    public async Task Consume(ConsumeContext<InboundMessageReceived> context)
    {
        var outcome = await router.RouteAsync(context.Message, context.CancellationToken);
        if (outcome.Duplicate)
        {
            logger.LogInformation("Message {MessageId} was already routed; nothing changed", context.Message.MessageId);
            return;
        }
        logger.LogInformation("Message {MessageId} from customer {CustomerId} on {Channel}: conversation {ConversationId} is {Status} {AgentId}",
            context.Message.MessageId, outcome.CustomerId, context.Message.Channel, outcome.ConversationId, outcome.Status, outcome.AgentId);
    }
}
