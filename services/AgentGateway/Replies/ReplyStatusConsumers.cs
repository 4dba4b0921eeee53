using MassTransit;
using Routing.AgentGateway.Database;
using Routing.AgentGateway.Messaging;
using Routing.AgentGateway.Events;
using Routing.Contracts;

namespace Routing.AgentGateway.Replies;

/// <summary>Tells the agent who wrote a reply each step it takes: sent, delivered, read, failed with the provider's reason, or unknown.</summary>
internal static class ReplyEvents
{
    public static async Task AppendAsync(GatewayTransaction tx, IEnumerable<ReplyChange> changes, CancellationToken ct)
    {
        foreach (var c in changes)
        {
            await tx.AppendAsync(AgentEventLog.IdFor(c.Id, c.AgentId, $"{EventTypes.ReplyStatus}:{c.Status}"), c.AgentId, EventTypes.ReplyStatus,
                new ReplyStatusData(c.ConversationId, c.Id, c.Channel, c.Status, c.ProviderMessageId, c.ErrorCode, c.ErrorMessage, c.StatusAt), ct);
        }
    }
}

internal sealed class OutboundMessageSentConsumer(GatewayDb db) : IConsumer<OutboundMessageSent>
{
    public async Task Consume(ConsumeContext<OutboundMessageSent> context)
    {
        var m = context.Message;
        Require.Text(m.ProviderMessageId, "providerMessageId");
        var ct = context.CancellationToken;
        await using var tx = await db.BeginAsync(ct);
        await ReplyEvents.AppendAsync(tx, await ReplyStore.SentAsync(tx.Connection, tx.Transaction, m.CommandId, m.ProviderMessageId, m.SentAt, ct), ct);
        await tx.CommitAsync(ct);
    }
}

internal sealed class OutboundMessageFailedConsumer(GatewayDb db) : IConsumer<OutboundMessageFailed>
{
    public async Task Consume(ConsumeContext<OutboundMessageFailed> context)
    {
        var m = context.Message;
        var ct = context.CancellationToken;
        await using var tx = await db.BeginAsync(ct);
        await ReplyEvents.AppendAsync(tx,
            await ReplyStore.StatusAsync(tx.Connection, tx.Transaction, m.CommandId, m.OutcomeUnknown ? "unknown" : "failed", m.ErrorCode, m.ErrorMessage, m.FailedAt, ct),
            ct);
        await tx.CommitAsync(ct);
    }
}

internal sealed class DeliveryStatusChangedConsumer(GatewayDb db) : IConsumer<DeliveryStatusChanged>
{
    private static readonly string[] Statuses = ["sent", "delivered", "read", "failed"];

    public async Task Consume(ConsumeContext<DeliveryStatusChanged> context)
    {
        var m = context.Message;
        Require.Text(m.Channel, "channel");
        if (!Statuses.Contains(m.Status))
        {
            throw new InvalidEventException("status", $"'{m.Status}' is not sent, delivered, read or failed");
        }
        if (m.ProviderMessageId is null && (m.UpTo is null || m.Recipient is null))
        {
            throw new InvalidEventException("providerMessageId", "is required unless upTo and recipient are given");
        }
        var ct = context.CancellationToken;
        await using var tx = await db.BeginAsync(ct);
        var (connection, transaction) = (tx.Connection, tx.Transaction);
        var changes = new List<ReplyChange>();
        if (m is { CommandId: { } command, ProviderMessageId: { } sent })
        {
            // The provider names our command: the reply's provider id is known now, even if the adapter's answer was lost.
            changes.AddRange(await ReplyStore.SentAsync(connection, transaction, command, sent, m.OccurredAt, ct));
        }
        changes.AddRange(m.ProviderMessageId is { } id
            ? await ReplyStore.ProviderStatusAsync(connection, transaction, m.Channel, id, m.Status, m.ErrorCode, m.OccurredAt, tx.Now, ct)
            : await ReplyStore.WatermarkAsync(connection, transaction, m.Channel, m.ChannelAccount, m.Recipient!.Value, m.UpTo!.Value, m.Status, m.OccurredAt, ct));
        await ReplyEvents.AppendAsync(tx, changes, ct);
        await tx.CommitAsync(ct);
    }
}
