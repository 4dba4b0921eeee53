using MassTransit;
using Routing.AgentGateway.Database;
using Routing.AgentGateway.Events;
using Routing.AgentGateway.Messaging;
using Routing.Contracts;

namespace Routing.AgentGateway.Conversations;

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
