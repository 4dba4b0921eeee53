using Routing.Messaging;
using MassTransit;
using Routing.Contracts;

namespace Routing.Conversations;

internal sealed class AgentAcceptedConversationConsumer(ConversationCommands commands, ILogger<AgentAcceptedConversationConsumer> logger) : IConsumer<AgentAcceptedConversation>
{
    public async Task Consume(ConsumeContext<AgentAcceptedConversation> context)
    {
        var m = context.Message;
        var result = await commands.AcceptAsync(m.ConversationId, m.AgentId, context.CancellationToken);
        if (result == CommandResult.NotFound)
        {
            throw new InvalidMessageException("conversationId", $"conversation '{m.ConversationId}' does not exist");
        }
        if (result == CommandResult.Stale)
        {
            logger.LogWarning("Agent {AgentId} accepted conversation {ConversationId} after the offer ended; ignored", m.AgentId, m.ConversationId);
        }
    }
}
