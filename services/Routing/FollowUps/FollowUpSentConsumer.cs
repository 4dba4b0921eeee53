using MassTransit;
using Routing.Contracts;
using Routing.Database;
using Routing.Messaging;

namespace Routing.FollowUps;

/// <summary>
/// An agent's follow-up reached the customer (the gateway sent it): until its answer window ends, the customer's next
/// conversation is offered to that agent first (candidate source "follow-up", reason "follow-up-agent"). A follow-up of a
/// customer routing does not know, or one that cannot be right, goes to the error queue with its reason.
/// </summary>
internal sealed class FollowUpSentConsumer(RoutingDb db) : IConsumer<FollowUpSent>
{
    public async Task Consume(ConsumeContext<FollowUpSent> context)
    {
        var m = context.Message;
        if (string.IsNullOrWhiteSpace(m.AgentId))
        {
            throw new InvalidMessageException("agentId", "is required");
        }
        if (string.IsNullOrWhiteSpace(m.Channel))
        {
            throw new InvalidMessageException("channel", "is required");
        }
        if (m.AnswerBy <= m.SentAt)
        {
            throw new InvalidMessageException("answerBy", "must be after sentAt");
        }
        await using var tx = await db.BeginAsync(context.CancellationToken);
        if (!await FollowUpStore.RecordAsync(tx, m, context.CancellationToken))
        {
            throw new InvalidMessageException("customerId", $"customer '{m.CustomerId}' does not exist");
        }
        await tx.CommitAsync(context.CancellationToken);
    }
}
