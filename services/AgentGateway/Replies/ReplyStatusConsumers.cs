using MassTransit;
using Npgsql;
using Routing.AgentGateway.Conversations;
using Routing.AgentGateway.Events;
using Routing.Contracts;

namespace Routing.AgentGateway.Replies;

/// <summary>Tells the agent who wrote a reply each step it takes: sent, delivered, read, failed with the provider's reason, or unknown.</summary>
internal static class ReplyEvents
{
    public static async Task AppendAsync(NpgsqlConnection connection, NpgsqlTransaction tx, IEnumerable<ReplyChange> changes, DateTimeOffset now,
        CancellationToken ct)
    {
        foreach (var c in changes)
        {
            await AgentEvents.AppendAsync(connection, tx, AgentEvents.IdFor(c.Id, c.AgentId, $"{EventTypes.ReplyStatus}:{c.Status}"), c.AgentId,
                c.ConversationId, EventTypes.ReplyStatus, new
                {
                    conversationId = c.ConversationId,
                    replyId = c.Id,
                    channel = c.Channel,
                    status = c.Status,
                    providerMessageId = c.ProviderMessageId,
                    errorCode = c.ErrorCode,
                    errorMessage = c.ErrorMessage,
                    at = c.StatusAt,
                }, now, ct);
        }
    }
}

internal sealed class OutboundMessageSentConsumer(ConversationStore store, TimeProvider time) : IConsumer<OutboundMessageSent>
{
    public async Task Consume(ConsumeContext<OutboundMessageSent> context)
    {
        var m = context.Message;
        Require.Text(m.ProviderMessageId, "providerMessageId");
        var now = time.GetUtcNow();
        await store.InTransactionAsync(async (connection, tx) =>
        {
            await ReplyEvents.AppendAsync(connection, tx, await ReplyStore.SentAsync(connection, tx, m.CommandId, m.ProviderMessageId, m.SentAt, context.CancellationToken),
                now, context.CancellationToken);
            return true;
        }, context.CancellationToken);
    }
}

internal sealed class OutboundMessageFailedConsumer(ConversationStore store, TimeProvider time) : IConsumer<OutboundMessageFailed>
{
    public async Task Consume(ConsumeContext<OutboundMessageFailed> context)
    {
        var m = context.Message;
        var now = time.GetUtcNow();
        await store.InTransactionAsync(async (connection, tx) =>
        {
            await ReplyEvents.AppendAsync(connection, tx,
                await ReplyStore.StatusAsync(connection, tx, m.CommandId, m.OutcomeUnknown ? "unknown" : "failed", m.ErrorCode, m.ErrorMessage, m.FailedAt, context.CancellationToken),
                now, context.CancellationToken);
            return true;
        }, context.CancellationToken);
    }
}

internal sealed class DeliveryStatusChangedConsumer(ConversationStore store, TimeProvider time) : IConsumer<DeliveryStatusChanged>
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
        var now = time.GetUtcNow();
        var ct = context.CancellationToken;
        await store.InTransactionAsync(async (connection, tx) =>
        {
            var changes = new List<ReplyChange>();
            if (m is { CommandId: { } command, ProviderMessageId: { } sent })
            {
                // The provider names our command: the reply's provider id is known now, even if the adapter's answer was lost.
                changes.AddRange(await ReplyStore.SentAsync(connection, tx, command, sent, m.OccurredAt, ct));
            }
            changes.AddRange(m.ProviderMessageId is { } id
                ? await ReplyStore.ProviderStatusAsync(connection, tx, m.Channel, id, m.Status, m.ErrorCode, m.OccurredAt, now, ct)
                : await ReplyStore.WatermarkAsync(connection, tx, m.Channel, m.ChannelAccount, m.Recipient!.Value, m.UpTo!.Value, m.Status, m.OccurredAt, ct));
            await ReplyEvents.AppendAsync(connection, tx, changes, now, ct);
            return true;
        }, ct);
    }
}
