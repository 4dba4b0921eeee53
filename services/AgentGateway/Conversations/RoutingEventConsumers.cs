using MassTransit;
using Routing.AgentGateway.Events;
using Routing.Contracts;

namespace Routing.AgentGateway.Conversations;

/// <summary>A conversation given (or offered) to an agent: kept with the customer's context, and sent to the agent with its messages so far.</summary>
internal sealed class ConversationAssignedConsumer(ConversationStore store, TimeProvider time) : IConsumer<ConversationAssigned>
{
    private const int MessagesInEvent = 50;

    public async Task Consume(ConsumeContext<ConversationAssigned> context)
    {
        var m = context.Message;
        Require.Text(m.AgentId, "agentId");
        Require.Text(m.Channel, "channel");
        Require.NotNull(m.Receipt, "receipt");
        var ct = context.CancellationToken;
        var now = time.GetUtcNow();
        var shown = new ConversationContext(
            new CustomerContext(m.CustomerId, m.CustomerDisplayName, m.CustomerAddresses, m.PreferredAgents, m.RelationshipHistory, m.EarlierMessages),
            new RoutingContext(ReceiptText.For(m.Receipt, m.AgentId), m.Receipt));
        await store.InTransactionAsync(async (connection, tx) =>
        {
            await ConversationStore.LockAsync(connection, tx, m.ConversationId, m.CustomerId, m.Channel, m.ChannelAccount, now, ct);
            foreach (var message in m.RecentMessages)
            {
                // The account is only known for the conversation's own channel; MessageRouted fills in the rest.
                await ConversationStore.InsertInboundAsync(connection, tx, m.ConversationId, m.CustomerId,
                    message.Channel == m.Channel ? m.ChannelAccount : "", message, null, null, null, ct);
            }
            if (await ConversationStore.AssignAsync(connection, tx, m, shown, now, ct) == 0)
            {
                return false; // closed, or a later routing event already moved it on
            }
            await ConversationStore.AnnounceAsync(connection, tx, m.ConversationId, m.AgentId, null, ct);
            var conversation = await ConversationStore.GetAsync(connection, tx, m.ConversationId, ct);
            var messages = await ConversationStore.MessagesAsync(connection, tx, m.ConversationId, MessagesInEvent, ct);
            return await AgentEvents.AppendAsync(connection, tx, AgentEvents.IdFor(m.Receipt.DecisionId, m.AgentId, EventTypes.ConversationAssigned),
                m.AgentId, m.ConversationId, EventTypes.ConversationAssigned, new
                {
                    conversation,
                    requiresAccept = m.RequiresAccept,
                    offerExpiresAt = m.OfferExpiresAt,
                    customer = shown.Customer,
                    routing = shown.Routing,
                    messages,
                }, now, ct);
        }, ct);
    }
}

/// <summary>A customer message joined a conversation: stored, and sent to the conversation's agent unless the assignment already carried it.</summary>
internal sealed class MessageRoutedConsumer(ConversationStore store, TimeProvider time) : IConsumer<MessageRouted>
{
    public async Task Consume(ConsumeContext<MessageRouted> context)
    {
        var m = context.Message;
        Require.Text(m.Channel, "channel");
        Require.NotNull(m.Sender, "sender");
        Require.Text(m.Sender.Kind, "sender.kind");
        Require.Text(m.Sender.Value, "sender.value");
        var ct = context.CancellationToken;
        var now = time.GetUtcNow();
        var message = new ConversationMessage
        {
            MessageId = m.MessageId, ConversationId = m.ConversationId, Channel = m.Channel, Sender = m.Sender, Subject = m.Subject, Text = m.Text,
            Attachments = m.Attachments, ReceivedAt = m.ReceivedAt,
        };
        await store.InTransactionAsync(async (connection, tx) =>
        {
            var conversation = await ConversationStore.LockAsync(connection, tx, m.ConversationId, m.CustomerId, m.Channel, m.ChannelAccount, now, ct);
            await ConversationStore.InsertInboundAsync(connection, tx, m.ConversationId, m.CustomerId, m.ChannelAccount, message,
                m.ThreadKey, m.ProviderMessageId, m.ReplyToProviderMessageId, ct);
            if (m.AgentId is null || conversation.AgentId != m.AgentId || conversation.Status is not ("offered" or "open"))
            {
                return false; // no agent yet: the assignment will carry it
            }
            if ((await ConversationStore.AnnounceAsync(connection, tx, m.ConversationId, m.AgentId, m.MessageId, ct)).Count == 0)
            {
                return false;
            }
            var view = await ConversationStore.MessageAsync(connection, tx, m.MessageId, ct);
            return await AgentEvents.AppendAsync(connection, tx, AgentEvents.IdFor(m.MessageId, m.AgentId, EventTypes.MessageReceived),
                m.AgentId, m.ConversationId, EventTypes.MessageReceived, new { conversationId = m.ConversationId, message = view }, now, ct);
        }, ct);
    }
}

/// <summary>The agent lost the conversation (offline too long, offer declined or expired): the agent's tools are told.</summary>
internal sealed class ConversationReleasedConsumer(ConversationStore store, TimeProvider time) : IConsumer<ConversationReleased>
{
    public async Task Consume(ConsumeContext<ConversationReleased> context)
    {
        var m = context.Message;
        Require.Text(m.AgentId, "agentId");
        var ct = context.CancellationToken;
        var now = time.GetUtcNow();
        await store.InTransactionAsync(async (connection, tx) =>
        {
            await ConversationStore.LockAsync(connection, tx, m.ConversationId, m.CustomerId, "", "", now, ct);
            if (await ConversationStore.ReleaseAsync(connection, tx, m, now, ct) == 0)
            {
                return false;
            }
            return await AgentEvents.AppendAsync(connection, tx, AgentEvents.IdFor(m.DecisionId, m.AgentId, EventTypes.ConversationReleased),
                m.AgentId, m.ConversationId, EventTypes.ConversationReleased, new { conversationId = m.ConversationId, reason = m.Reason, releasedAt = m.ReleasedAt }, now, ct);
        }, ct);
    }
}

/// <summary>The conversation is closed (by its agent, an administrator or routing): the agent's tools are told.</summary>
internal sealed class ConversationClosedConsumer(ConversationStore store, TimeProvider time) : IConsumer<ConversationClosed>
{
    public async Task Consume(ConsumeContext<ConversationClosed> context)
    {
        var m = context.Message;
        Require.Text(m.ClosedBy, "closedBy");
        var ct = context.CancellationToken;
        var now = time.GetUtcNow();
        await store.InTransactionAsync(async (connection, tx) =>
        {
            var before = await ConversationStore.LockAsync(connection, tx, m.ConversationId, m.CustomerId, m.Channel ?? "", "", now, ct);
            if (await ConversationStore.CloseAsync(connection, tx, m, now, ct) == 0 || before.AgentId is null || before.AgentId != (m.AgentId ?? before.AgentId))
            {
                return false; // already closed, or the agent never had it as far as the gateway saw
            }
            return await AgentEvents.AppendAsync(connection, tx, AgentEvents.IdFor(m.ConversationId, before.AgentId, EventTypes.ConversationClosed),
                before.AgentId, m.ConversationId, EventTypes.ConversationClosed,
                new { conversationId = m.ConversationId, closedBy = m.ClosedBy, reason = m.Reason, closedAt = m.ClosedAt }, now, ct);
        }, ct);
    }
}

internal static class Require
{
    public static void Text(string? value, string field)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new InvalidEventException(field, "is required");
        }
    }

    public static void NotNull(object? value, string field)
    {
        if (value is null)
        {
            throw new InvalidEventException(field, "is required");
        }
    }
}
