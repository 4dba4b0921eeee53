using MassTransit;
using Routing.AgentGateway.Database;
using Routing.AgentGateway.Events;
using Routing.AgentGateway.Messaging;
using Routing.Contracts;

namespace Routing.AgentGateway.Conversations;

/// <summary>
/// Two customers merged into one person: the messages of the conversation the merge closed move into the person's kept one,
/// and its agent is shown them (message.received each), so they answer the person knowing everything they wrote. The
/// closed conversation's agent is told by its ConversationClosed (reason "merged").
/// </summary>
internal sealed class CustomersMergedConsumer(GatewayDb db) : IConsumer<CustomersMerged>
{
    public async Task Consume(ConsumeContext<CustomersMerged> context)
    {
        var m = context.Message;
        Require.NotNull(m.MovedMessageIds, "movedMessageIds");
        if (m.KeptConversationId is not { } kept)
        {
            return; // neither customer had a conversation open: nothing an agent sees changes
        }
        var ct = context.CancellationToken;
        await using var tx = await db.BeginAsync(ct);
        await ConversationStore.LockAsync(tx.Connection, tx.Transaction, kept, m.SurvivorId, "", "", tx.Now, ct);
        foreach (var message in await ConversationStore.MergeAsync(tx.Connection, tx.Transaction, m, ct))
        {
            await tx.AppendAsync(AgentEventLog.IdFor(message.Id, m.AgentId!, EventTypes.MessageReceived), m.AgentId!, EventTypes.MessageReceived,
                new MessageReceivedData(kept, message), ct);
        }
        await tx.CommitAsync(ct);
    }
}

/// <summary>A merge undone: the gateway's copies follow routing's (messages, customers, a reopened conversation waiting for its assignment).</summary>
internal sealed class CustomersUnmergedConsumer(GatewayDb db) : IConsumer<CustomersUnmerged>
{
    public async Task Consume(ConsumeContext<CustomersUnmerged> context)
    {
        var m = context.Message;
        Require.NotNull(m.MovedMessages, "movedMessages");
        Require.NotNull(m.Conversations, "conversations");
        Require.NotNull(m.ReopenedConversationIds, "reopenedConversationIds");
        var ct = context.CancellationToken;
        await using var tx = await db.BeginAsync(ct);
        // Every conversation touched, locked in id order like any routing event's.
        foreach (var id in m.MovedMessages.Select(v => v.ConversationId).Concat(m.Conversations.Select(c => c.ConversationId))
                     .Concat(m.ReopenedConversationIds).Distinct().Order())
        {
            await ConversationStore.LockAsync(tx.Connection, tx.Transaction, id, m.Conversations.FirstOrDefault(c => c.ConversationId == id)?.CustomerId ?? m.RestoredId,
                "", "", tx.Now, ct);
        }
        await ConversationStore.UnmergeAsync(tx.Connection, tx.Transaction, m, tx.Now, ct);
        await tx.CommitAsync(ct);
    }
}
