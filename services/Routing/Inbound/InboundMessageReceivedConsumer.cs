using MassTransit;
using Routing.Contracts;

namespace Routing.Inbound;

internal sealed partial class InboundMessageReceivedConsumer(InboundBatcher batcher, ILogger<InboundMessageReceivedConsumer> logger) : IConsumer<InboundMessageReceived>
{
    public async Task Consume(ConsumeContext<InboundMessageReceived> context)
    {
        var outcome = await batcher.RouteAsync(context.Message, context.CancellationToken);
        if (outcome.Duplicate)
        {
            LogDuplicate(context.Message.MessageId);
            return;
        }
        LogRouted(context.Message.MessageId, outcome.CustomerId, context.Message.Channel, outcome.ConversationId, outcome.Status, outcome.AgentId);
    }

    [LoggerMessage(LogLevel.Information, "Message {MessageId} was already routed; nothing changed")]
    private partial void LogDuplicate(Guid messageId);

    [LoggerMessage(LogLevel.Information, "Message {MessageId} from customer {CustomerId} on {Channel}: conversation {ConversationId} is {Status} {AgentId}")]
    private partial void LogRouted(Guid messageId, Guid customerId, string channel, Guid conversationId, string status, string? agentId);
}
