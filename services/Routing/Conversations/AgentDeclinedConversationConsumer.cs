using Routing.Messaging;
using MassTransit;
using Routing.Contracts;

namespace Routing.Conversations;

internal sealed class AgentDeclinedConversationConsumer(ConversationCommands commands, ILogger<AgentDeclinedConversationConsumer> logger) : IConsumer<AgentDeclinedConversation>
{
    public async Task Consume(ConsumeContext<AgentDeclinedConversation> context)
    {
        var m = context.Message;
        var result = await commands.DeclineAsync(m.ConversationId, m.AgentId, RoutingTriggers.OfferDeclined, context.CancellationToken, m.Reason);
        if (result == CommandResult.NotFound)
        {
            throw new InvalidMessageException("conversationId", $"conversation '{m.ConversationId}' does not exist");
        }
        if (result == CommandResult.Stale)
        {
            logger.LogWarning("Agent {AgentId} declined conversation {ConversationId} that was no longer offered to them; ignored", m.AgentId, m.ConversationId);
        }
    }
}
