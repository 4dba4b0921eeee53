using MassTransit;
using Routing.Contracts;
using Routing.Messaging;

namespace Routing.ServiceLevels;

/// <summary>A reply its channel's adapter sent (OutboundMessageSent, which the agent gateway hears too): measured for service levels.</summary>
internal sealed class ReplySentConsumer(AgentReplies replies) : IConsumer<OutboundMessageSent>
{
    public async Task Consume(ConsumeContext<OutboundMessageSent> context)
    {
        var m = context.Message;
        if (await replies.SentAsync(m.ConversationId, m.AgentId, m.SentAt, context.CancellationToken) == ReplyOutcome.NotFound)
        {
            throw new InvalidMessageException("conversationId", $"conversation '{m.ConversationId}' does not exist");
        }
    }
}
