using MassTransit;
using Routing.AgentGateway.Database;
using Routing.AgentGateway.Attachments;
using Routing.AgentGateway.Events;
using Routing.AgentGateway.Messaging;
using Routing.Contracts;

namespace Routing.AgentGateway.Conversations;

/// <summary>A conversation given (or offered) to an agent: kept with the customer's context, and sent to the agent with its messages so far.</summary>
internal sealed class ConversationAssignedConsumer(GatewayDb db) : IConsumer<ConversationAssigned>
{
    private const int MessagesInEvent = 50;

    public async Task Consume(ConsumeContext<ConversationAssigned> context)
    {
        var m = context.Message;
        Require.Text(m.AgentId, "agentId");
        Require.Text(m.Channel, "channel");
        Require.NotNull(m.Receipt, "receipt");
        var ct = context.CancellationToken;
        var shown = new ConversationContext(
            new CustomerContext(m.CustomerId, m.CustomerDisplayName, m.CustomerAddresses, m.PreferredAgents, m.RelationshipHistory,
                m.EarlierMessages.Select(AttachmentIds.Exposed).ToList()) { Notes = m.CustomerNotes, Tags = m.CustomerTags },
            new RoutingContext(ReceiptText.For(m.Receipt, m.AgentId, m.TransferredBy, m.TransferNote), m.Receipt, m.TransferredBy, m.TransferNote));
        await using var tx = await db.BeginAsync(ct);
        // Closed, or a later routing event already moved it on: nothing to tell.
        if (await ConversationStore.AssignAsync(tx.Connection, tx.Transaction, m, shown, MessagesInEvent, tx.Now, ct) is var (conversation, messages))
        {
            await tx.AppendAsync(AgentEventLog.IdFor(m.Receipt.DecisionId, m.AgentId, EventTypes.ConversationAssigned), m.AgentId, EventTypes.ConversationAssigned,
                new ConversationAssignedData(m.ConversationId, conversation, m.RequiresAccept, m.OfferExpiresAt, shown.Customer, shown.Routing, messages), ct);
        }
        await tx.CommitAsync(ct);
    }
}

/// <summary>A customer message joined a conversation: stored, and sent to the conversation's agent unless the assignment already carried it.</summary>
internal sealed class MessageRoutedConsumer(GatewayDb db) : IConsumer<MessageRouted>
{
    public async Task Consume(ConsumeContext<MessageRouted> context)
    {
        var m = context.Message;
        Require.Text(m.Channel, "channel");
        Require.NotNull(m.Sender, "sender");
        Require.Text(m.Sender.Kind, "sender.kind");
        Require.Text(m.Sender.Value, "sender.value");
        var ct = context.CancellationToken;
        var message = new ConversationMessage
        {
            MessageId = m.MessageId, ConversationId = m.ConversationId, Channel = m.Channel, Sender = m.Sender, Subject = m.Subject, Text = m.Text,
            Attachments = m.Attachments, ReceivedAt = m.ReceivedAt, Visibility = m.Visibility, Post = m.Post,
        };
        await using var tx = await db.BeginAsync(ct);
        // With no agent yet, or one the assignment already told, the assignment carries it.
        if (await ConversationStore.RouteAsync(tx.Connection, tx.Transaction, m.ConversationId, m.CustomerId, m.Channel,
                new InboundMessage(message, m.ChannelAccount, m.ThreadKey, m.ProviderMessageId, m.ReplyToProviderMessageId), m.AgentId, tx.Now, ct) is { } view
            && m.AgentId is { } agentId)
        {
            await tx.AppendAsync(AgentEventLog.IdFor(m.MessageId, agentId, EventTypes.MessageReceived), agentId, EventTypes.MessageReceived,
                new MessageReceivedData(m.ConversationId, view), ct);
        }
        await tx.CommitAsync(ct);
    }
}

/// <summary>The agent lost the conversation (offline too long, offer declined or expired): the agent's tools are told, in words.</summary>
internal sealed class ConversationReleasedConsumer(GatewayDb db) : IConsumer<ConversationReleased>
{
    public async Task Consume(ConsumeContext<ConversationReleased> context)
    {
        var m = context.Message;
        Require.Text(m.AgentId, "agentId");
        var ct = context.CancellationToken;
        await using var tx = await db.BeginAsync(ct);
        await ConversationStore.LockAsync(tx.Connection, tx.Transaction, m.ConversationId, m.CustomerId, "", "", tx.Now, ct);
        if (await ConversationStore.ReleaseAsync(tx.Connection, tx.Transaction, m, tx.Now, ct) > 0)
        {
            await tx.AppendAsync(AgentEventLog.IdFor(m.DecisionId, m.AgentId, EventTypes.ConversationReleased), m.AgentId, EventTypes.ConversationReleased,
                new ConversationReleasedData(m.ConversationId, m.Reason, ReceiptText.Released(m.Reason), m.ReleasedAt), ct);
        }
        await tx.CommitAsync(ct);
    }
}

/// <summary>The conversation is closed (by its agent, an administrator or routing): the agent's tools are told.</summary>
internal sealed class ConversationClosedConsumer(GatewayDb db) : IConsumer<ConversationClosed>
{
    public async Task Consume(ConsumeContext<ConversationClosed> context)
    {
        var m = context.Message;
        Require.Text(m.ClosedBy, "closedBy");
        var ct = context.CancellationToken;
        await using var tx = await db.BeginAsync(ct);
        var before = await ConversationStore.LockAsync(tx.Connection, tx.Transaction, m.ConversationId, m.CustomerId, m.Channel ?? "", "", tx.Now, ct);
        // Already closed, or the agent never had it as far as the gateway saw: nothing to tell.
        if (await ConversationStore.CloseAsync(tx.Connection, tx.Transaction, m, tx.Now, ct) > 0 && before.AgentId is { } agentId
            && agentId == (m.AgentId ?? agentId))
        {
            await tx.AppendAsync(AgentEventLog.IdFor(m.ConversationId, agentId, EventTypes.ConversationClosed), agentId, EventTypes.ConversationClosed,
                new ConversationClosedData(m.ConversationId, m.ClosedBy, m.Reason, m.ClosedAt), ct);
        }
        await tx.CommitAsync(ct);
    }
}

/// <summary>
/// A customer is held for their preferred agents, who are busy: each of them is told, in their tools, that the customer
/// waits for them and until when, so they can free a slot (or become available) and take the conversation before it
/// falls back to another agent. With what the customer wrote, as far as the gateway has it.
/// </summary>
internal sealed class ConversationHeldConsumer(GatewayDb db) : IConsumer<ConversationHeld>
{
    /// <summary>The customer's latest messages the notice shows.</summary>
    private const int MessageLimit = 3;

    public async Task Consume(ConsumeContext<ConversationHeld> context)
    {
        var m = context.Message;
        Require.Text(m.Channel, "channel");
        Require.NotNull(m.HeldFor, "heldFor");
        var ct = context.CancellationToken;
        await using var tx = await db.BeginAsync(ct);
        var messages = await ConversationStore.MessagesAsync(tx.Connection, tx.Transaction, m.ConversationId, MessageLimit, ct);
        var customer = messages.LastOrDefault(x => x.Direction == "in") is { } last ? last.DisplayName ?? last.AddressValue : null;
        foreach (var agentId in m.HeldFor.Where(a => !string.IsNullOrWhiteSpace(a)).Distinct(StringComparer.Ordinal))
        {
            await tx.AppendAsync(AgentEventLog.IdFor(m.DecisionId, agentId, EventTypes.ConversationHeld), agentId, EventTypes.ConversationHeld,
                new ConversationHeldData(m.ConversationId, m.Channel, customer, m.HoldUntil, m.HeldFor, messages), ct);
        }
        await tx.CommitAsync(ct);
    }
}
