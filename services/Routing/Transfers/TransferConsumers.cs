using Routing.Assignment;
using MassTransit;
using Routing.Contracts;
using Routing.Messaging;

namespace Routing.Transfers;

/// <summary>An agent's transfer, from the agent gateway: carried out only while the conversation is theirs; a refusal is answered with ConversationTransferEnded.</summary>
internal sealed class TransferConversationConsumer(ConversationTransfers transfers, ILogger<TransferConversationConsumer> logger) : IConsumer<TransferConversation>
{
    public async Task Consume(ConsumeContext<TransferConversation> context)
    {
        var m = context.Message;
        if (TransfersApi.Problem(m.RequestedBy, m.ToAgentId, m.ToTeam) is { } problem)
        {
            throw new InvalidMessageException(problem.Field, problem.Message);
        }
        var result = await transfers.TransferAsync(m, asAgent: true, context.CancellationToken);
        switch (result.Status)
        {
            case TransferStatus.NotFound:
                throw new InvalidMessageException("conversationId", $"conversation '{m.ConversationId}' does not exist");
            case TransferStatus.Refused:
                logger.LogInformation("Transfer {TransferId} of conversation {ConversationId} by {AgentId} refused: {Reason}",
                    m.TransferId, m.ConversationId, m.RequestedBy, result.Reason);
                break;
        }
    }
}

internal sealed class AgentAnsweredTransferConsumer(ConversationTransfers transfers, ILogger<AgentAnsweredTransferConsumer> logger) : IConsumer<AgentAnsweredTransfer>
{
    public async Task Consume(ConsumeContext<AgentAnsweredTransfer> context)
    {
        var m = context.Message;
        if (string.IsNullOrWhiteSpace(m.AgentId))
        {
            throw new InvalidMessageException("agentId", "is required");
        }
        var result = await transfers.AnswerAsync(m.TransferId, m.AgentId, m.Accepted, m.Reason, context.CancellationToken);
        if (result.Status == TransferStatus.NotFound)
        {
            throw new InvalidMessageException("transferId", $"transfer '{m.TransferId}' does not exist");
        }
        if (result.Status == TransferStatus.Stale)
        {
            logger.LogWarning("Agent {AgentId} answered transfer {TransferId} that was no longer offered to them ({Status}); ignored",
                m.AgentId, m.TransferId, result.Outcome);
        }
    }
}
