using Routing.AgentGateway.Attachments;
using MassTransit;
using Routing.AgentGateway.Database;
using Routing.AgentGateway.Events;
using Routing.AgentGateway.Messaging;
using Routing.Contracts;

namespace Routing.AgentGateway.Conversations;

/// <summary>A warm transfer: the receiving agent is asked, in their tools, to take a conversation another agent still has.</summary>
internal sealed class ConversationTransferOfferedConsumer(GatewayDb db) : IConsumer<ConversationTransferOffered>
{
    public async Task Consume(ConsumeContext<ConversationTransferOffered> context)
    {
        var m = context.Message;
        Require.Text(m.FromAgentId, "fromAgentId");
        Require.Text(m.ToAgentId, "toAgentId");
        Require.Text(m.Channel, "channel");
        var ct = context.CancellationToken;
        await using var tx = await db.BeginAsync(ct);
        var offer = new TransferOffer
        {
            TransferId = m.TransferId, ConversationId = m.ConversationId, FromAgentId = m.FromAgentId, ToAgentId = m.ToAgentId, ToTeam = m.ToTeam,
            Note = m.Note, OfferedAt = m.OfferedAt.UtcDateTime, ExpiresAt = m.ExpiresAt.UtcDateTime,
        };
        if (await TransferOfferStore.OfferAsync(tx.Connection, tx.Transaction, offer, ct))
        {
            await tx.AppendAsync(AgentEventLog.IdFor(m.TransferId, m.ToAgentId, EventTypes.TransferOffered), m.ToAgentId, EventTypes.TransferOffered,
                new TransferOfferedData(m.ConversationId, m.TransferId, m.FromAgentId, m.ToTeam, m.Channel, m.Note, m.CustomerDisplayName, m.ExpiresAt,
                    m.RecentMessages.Select(AttachmentIds.Exposed).ToList()), ct);
        }
        await tx.CommitAsync(ct);
    }
}

/// <summary>
/// How a transfer ended: the agent who asked is told (an operator's transfer is answered by routing's API), and so is the
/// agent a warm transfer was offered to when it did not happen, so their tool stops showing the offer.
/// </summary>
internal sealed class ConversationTransferEndedConsumer(GatewayDb db) : IConsumer<ConversationTransferEnded>
{
    /// <summary>Who routing's API names as the requester of an operator's transfer.</summary>
    private const string OperatorPrefix = "operator:";

    public async Task Consume(ConsumeContext<ConversationTransferEnded> context)
    {
        var m = context.Message;
        Require.Text(m.RequestedBy, "requestedBy");
        Require.Text(m.Outcome, "outcome");
        var ct = context.CancellationToken;
        var text = ReceiptText.TransferEnded(m.Outcome, m.Reason, m.ToAgentId, m.ToTeam);
        var data = new TransferEndedData(m.ConversationId, m.TransferId, m.Outcome, m.Reason, text, m.ToAgentId, m.ToTeam, m.Warm, m.EndedAt);
        await using var tx = await db.BeginAsync(ct);
        var offer = await TransferOfferStore.EndAsync(tx.Connection, tx.Transaction, m.TransferId, m.Outcome, m.EndedAt, ct);
        if (!m.RequestedBy.StartsWith(OperatorPrefix, StringComparison.Ordinal))
        {
            await tx.AppendAsync(AgentEventLog.IdFor(m.TransferId, m.RequestedBy, EventTypes.TransferEnded), m.RequestedBy, EventTypes.TransferEnded, data, ct);
        }
        if (offer is not null && m.Outcome != TransferOutcomes.Done && offer.ToAgentId != m.RequestedBy)
        {
            await tx.AppendAsync(AgentEventLog.IdFor(m.TransferId, offer.ToAgentId, EventTypes.TransferEnded), offer.ToAgentId, EventTypes.TransferEnded,
                data, ct);
        }
        await tx.CommitAsync(ct);
    }
}
