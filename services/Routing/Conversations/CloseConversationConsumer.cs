using Routing.Messaging;
using MassTransit;
using Routing.Contracts;

namespace Routing.Conversations;

internal sealed class CloseConversationConsumer(ConversationCommands commands) : IConsumer<CloseConversation>
{
    public async Task Consume(ConsumeContext<CloseConversation> context)
    {
        var m = context.Message;
        if (string.IsNullOrWhiteSpace(m.ClosedBy))
        {
            throw new InvalidMessageException("closedBy", "is required");
        }
        if (m.MessagesSeen is < 0)
        {
            throw new InvalidMessageException("messagesSeen", "cannot be negative");
        }
        if (await commands.CloseAsAgentAsync(m.ConversationId, m.ClosedBy, m.Reason, m.MessagesSeen, context.CancellationToken) == CommandResult.NotFound)
        {
            throw new InvalidMessageException("conversationId", $"conversation '{m.ConversationId}' does not exist");
        }
    }
}
