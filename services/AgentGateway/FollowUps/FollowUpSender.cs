using MassTransit;
using Microsoft.Extensions.Options;
using Routing.AgentGateway.Conversations;
using Routing.AgentGateway.Database;
using Routing.AgentGateway.Replies;
using Routing.Contracts;
using Routing.ServiceDefaults;

namespace Routing.AgentGateway.FollowUps;

/// <summary>
/// Every Gateway:FollowUps:Interval, on every replica: the follow-ups that are due go out on the customer's channel as their
/// agent's private reply (a WhatsApp template past the customer-service window, as the adapter does for any reply), once
/// (the reply's key is the follow-up's id), and routing is told (FollowUpSent) so that the customer's answer comes back to
/// that agent. A follow-up whose customer wrote after it was scheduled is cancelled instead (Gateway:FollowUps:CancelWhenCustomerWrites).
/// A follow-up the channel cannot take (the customer has no address there any more) fails with its reason;
/// one that could not be sent now (the broker or the database away) waits for the next round. Nothing due is lost.
/// </summary>
internal sealed class FollowUpSender(GatewayDb db, ConversationStore conversations, IServiceScopeFactory scopes, IPublishEndpoint bus,
    IOptions<FollowUpOptions> options, IOptions<GatewayOptions> gateway, TimeProvider time, ILogger<FollowUpSender> logger) : PeriodicWork(time, logger)
{
    private const int Batch = 50;

    protected override TimeSpan Interval => options.Value.Interval;

    protected override Task RunOnceAsync(CancellationToken ct) => SendDueAsync(ct);

    /// <summary>One round: how many due follow-ups were sent.</summary>
    public async Task<int> SendDueAsync(CancellationToken ct)
    {
        var sent = 0;
        while (true)
        {
            IReadOnlyList<FollowUpView> due;
            await using (var tx = await db.BeginAsync(ct))
            {
                due = await FollowUpStore.ClaimDueAsync(tx, Time.GetUtcNow() - options.Value.StaleAfter, Batch, ct);
                await tx.CommitAsync(ct);
            }
            foreach (var followUp in due)
            {
                sent += await SendAsync(followUp, ct) ? 1 : 0;
            }
            if (due.Count < Batch)
            {
                return sent;
            }
        }
    }

    private async Task<bool> SendAsync(FollowUpView followUp, CancellationToken ct)
    {
        string status;
        Guid? replyId = null;
        string? reason = null;
        try
        {
            (status, replyId, reason) = await DeliverAsync(followUp, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            Logger.LogWarning(ex, "Follow-up {FollowUpId} of conversation {ConversationId} could not go now; it goes at the next round",
                followUp.Id, followUp.ConversationId);
            status = "scheduled";
        }
        await using var tx = await db.BeginAsync(ct);
        await FollowUpStore.SettleAsync(tx, followUp, status, replyId, reason, ct);
        await tx.CommitAsync(ct);
        return status == "sent";
    }

    private async Task<CustomerWrote?> WrittenSinceAsync(FollowUpView followUp, Guid customerId, CancellationToken ct)
    {
        await using var tx = await db.BeginAsync(ct);
        return await FollowUpStore.WrittenSinceAsync(tx, followUp, customerId, ct);
    }

    private async Task<(string Status, Guid? ReplyId, string? Reason)> DeliverAsync(FollowUpView followUp, CancellationToken ct)
    {
        if (await conversations.DetailForAgentAsync(followUp.ConversationId, followUp.AgentId, 0, ct) is not var (conversation, context, _))
        {
            return ("failed", null, "the conversation is no longer the agent's (the customer was erased, or it was merged away)");
        }
        if (options.Value.CancelWhenCustomerWrites && await WrittenSinceAsync(followUp, conversation.CustomerId, ct) is { } wrote)
        {
            return ("cancelled", null,
                $"the customer wrote first (on {wrote.Channel}, {wrote.At:yyyy-MM-dd HH:mm} UTC): answer them in the conversation they started");
        }
        await using var scope = scopes.CreateAsyncScope();
        var replies = scope.ServiceProvider.GetRequiredService<ReplySender>();
        // always private: a follow-up is between the agent and the customer, whatever they wrote last
        var result = await replies.SendAsync(conversation, context, followUp.AgentId, followUp.Text, null, $"follow-up:{followUp.Id}", ct,
            visibility: MessageVisibility.Private);
        if (result.InProgress)
        {
            throw new TimeoutException("The follow-up's reply is being published by another round.");
        }
        if (result.RefusedField is not null)
        {
            return ("failed", null, $"{result.RefusedField} {result.Refusal}");
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(gateway.Value.PublishTimeout);
        var now = Time.GetUtcNow();
        await bus.Publish(new FollowUpSent
        {
            FollowUpId = followUp.Id, ConversationId = followUp.ConversationId, CustomerId = followUp.CustomerId, AgentId = followUp.AgentId,
            Channel = result.Channel, SentAt = now, AnswerBy = now + options.Value.AnswerWithin,
        }, timeout.Token);
        return ("sent", result.Id, null);
    }
}
