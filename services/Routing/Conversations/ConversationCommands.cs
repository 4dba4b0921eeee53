using Routing.Assignment;
using Routing.Contracts;
using Routing.Database;

namespace Routing.Conversations;

/// <summary>What agents (through the gateway) and admins do to a conversation: close it, accept or decline an offer.</summary>
internal sealed class ConversationCommands(RoutingDb db, ConversationLifecycle lifecycle)
{
    /// <param name="messagesSeen">For an agent's close: how many of the customer's messages the agent had been shown. If the
    /// customer wrote more, the agent closes on a conversation it has not read: it stays open (Stale), with a receipt saying why.</param>
    public Task<CommandResult> CloseAsync(Guid conversationId, string closedBy, string? reason, int? messagesSeen, CancellationToken ct) =>
        CloseAsync(conversationId, closedBy, reason, messagesSeen, asAgent: false, ct);

    /// <summary>
    /// An agent's close (CloseConversation, from the agent gateway): carried out only while the conversation is that
    /// agent's. The gateway checks ownership in its own copy, which lags routing: a close sent just before a release or a
    /// reassignment must not close another agent's conversation. A refused close leaves a receipt.
    /// </summary>
    public Task<CommandResult> CloseAsAgentAsync(Guid conversationId, string agentId, string? reason, int? messagesSeen, CancellationToken ct) =>
        CloseAsync(conversationId, agentId, reason, messagesSeen, asAgent: true, ct);

    private async Task<CommandResult> CloseAsync(Guid conversationId, string closedBy, string? reason, int? messagesSeen, bool asAgent, CancellationToken ct)
    {
        await using var tx = await db.BeginAsync(ct);
        var conversation = await ConversationStore.GetAsync(tx, conversationId, ct, forUpdate: true);
        if (conversation is null)
        {
            return CommandResult.NotFound;
        }
        if (asAgent && conversation.Status != ConversationStatus.Closed && conversation.AgentId != closedBy)
        {
            tx.RecordDecision(tx.NewId(), conversationId, RoutingTriggers.Closed, RoutingOutcomes.CloseRefused,
                $"{closedBy} asked to close it, but it is {(conversation.AgentId is { } owner ? owner + "'s" : "no agent's")}", closedBy, [], 0);
            await tx.CommitAsync(ct);
            return CommandResult.Stale;
        }
        if (messagesSeen is { } seen && conversation.Status == ConversationStatus.Open && conversation.AgentId == closedBy
            && await ConversationStore.MessageCountAsync(tx, conversationId, ct) is var held && held > seen)
        {
            tx.RecordDecision(tx.NewId(), conversationId, RoutingTriggers.Closed, RoutingOutcomes.KeptOpen,
                $"the customer wrote after what the agent saw ({held - seen} unread)", closedBy, [], 0);
            await tx.CommitAsync(ct);
            return CommandResult.Stale;
        }
        var closed = await lifecycle.CloseAsync(tx, conversation, closedBy, reason, ct);
        await tx.CommitAsync(ct);
        return closed ? CommandResult.Done : CommandResult.AlreadyDone;
    }

    public async Task<CommandResult> AcceptAsync(Guid conversationId, string agentId, CancellationToken ct)
    {
        await using var tx = await db.BeginAsync(ct);
        var conversation = await ConversationStore.GetAsync(tx, conversationId, ct, forUpdate: true);
        if (conversation is null)
        {
            return CommandResult.NotFound;
        }
        if (conversation.Status != ConversationStatus.Open || conversation.AgentId != agentId)
        {
            // Too late: the offer expired, was declined, or the conversation closed meanwhile.
            await tx.CommitAsync(ct);
            return CommandResult.Stale;
        }
        if (conversation.AcceptedAt is not null)
        {
            await tx.CommitAsync(ct);
            return CommandResult.AlreadyDone;
        }
        await ConversationStore.MarkAcceptedAsync(tx, conversationId, ct);
        await TimerStore.CancelForConversationAsync(tx, conversationId, ct, TimerKinds.Offer);
        await AgentStore.RecordHistoryAsync(tx, conversation.CustomerId, agentId, ct);
        await tx.CommitAsync(ct);
        return CommandResult.Done;
    }

    /// <summary>A decline, or an expiry (<paramref name="trigger"/>), routes the conversation again without that agent; the decline's reason is kept in the receipt.</summary>
    public async Task<CommandResult> DeclineAsync(Guid conversationId, string agentId, string trigger, CancellationToken ct, string? reason = null)
    {
        await using var tx = await db.BeginAsync(ct);
        var conversation = await ConversationStore.GetAsync(tx, conversationId, ct, forUpdate: true);
        if (conversation is null)
        {
            return CommandResult.NotFound;
        }
        if (conversation.Status != ConversationStatus.Open || conversation.AgentId != agentId || conversation.AcceptedAt is not null)
        {
            await tx.CommitAsync(ct);
            return CommandResult.Stale;
        }
        await lifecycle.ReleaseAsync(tx, conversation, trigger, exclude: true, ct, reason);
        await tx.CommitAsync(ct);
        return CommandResult.Done;
    }
}

internal enum CommandResult
{
    Done,
    AlreadyDone,
    Stale,
    NotFound,
}
