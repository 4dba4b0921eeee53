using Routing.Contracts;
using Routing.Database;

namespace Routing.Assignment;

/// <summary>
/// Routing answers a waiting customer itself: a receipt (outcome auto-replied, the reason) and ConversationAutoReplied,
/// which the agent gateway sends on the customer's channel, threaded under the message it answers, once per receipt.
/// </summary>
internal static class AutoReplies
{
    public static void Publish(RoutingTransaction tx, ConversationRow conversation, string trigger, string reason, AnsweredMessage answered, string text,
        DateTimeOffset? opensAt = null, string? timeZone = null)
    {
        var decisionId = tx.NewId();
        tx.RecordDecision(decisionId, conversation.Id, trigger, RoutingOutcomes.AutoReplied, reason, null, [], 0);
        tx.Publish(new ConversationAutoReplied
        {
            AutoReplyId = decisionId,
            ConversationId = conversation.Id,
            CustomerId = conversation.CustomerId,
            Reason = reason,
            Channel = answered.Message.Channel,
            ChannelAccount = answered.ChannelAccount,
            Message = answered.Message,
            ProviderMessageId = answered.ProviderMessageId,
            ThreadKey = answered.ThreadKey,
            OpensAt = opensAt,
            TimeZone = timeZone,
            Text = text,
            At = tx.Now,
        });
    }

    /// <summary>
    /// A conversation that waited past its queue time limit and still waits after its overflow: the customer is told (the
    /// rule's text), under their latest message. Nothing when the rule has no text or the customer never wrote.
    /// </summary>
    public static async Task QueueOverflowAsync(RoutingTransaction tx, ConversationRow conversation, OverflowRule rule, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(rule.AutoReply) || await ConversationStore.LatestMessageAsync(tx, conversation.Id, ct) is not { } latest)
        {
            return;
        }
        Publish(tx, conversation, RoutingTriggers.QueueOverflow, AutoReplyReasons.QueueOverflow, latest, rule.AutoReply.Trim());
    }
}
