using System.Text.Json;
using MassTransit;
using Routing.AgentGateway.Conversations;
using Routing.AgentGateway.Database;
using Routing.AgentGateway.Messaging;
using Routing.Contracts;

namespace Routing.AgentGateway.Replies;

/// <summary>
/// Routing answered a waiting customer itself (out of hours, or past the queue time limit): the auto-reply goes out on
/// their channel like any reply, from the account they wrote to, threaded under their message, once per auto-reply (its
/// id is the idempotency key), and shows in the conversation's messages as written by "routing". The message it answers
/// comes with the event, so it does not matter whether MessageRouted was applied first.
/// </summary>
internal sealed class ConversationAutoRepliedConsumer(GatewayDb db, ConversationStore conversations, ReplySender replies,
    ILogger<ConversationAutoRepliedConsumer> logger) : IConsumer<ConversationAutoReplied>
{
    /// <summary>Who the auto-reply is from, among the conversation's messages.</summary>
    public const string From = "routing";

    private static readonly JsonElement NoContext = JsonDocument.Parse("{}").RootElement.Clone();

    public async Task Consume(ConsumeContext<ConversationAutoReplied> context)
    {
        var m = context.Message;
        Require.Text(m.Channel, "channel");
        Require.Text(m.ChannelAccount, "channelAccount");
        Require.Text(m.Text, "text");
        Require.Text(m.Reason, "reason");
        Require.NotNull(m.Message, "message");
        Require.NotNull(m.Message.Sender, "message.sender");
        var ct = context.CancellationToken;
        await using (var tx = await db.BeginAsync(ct))
        {
            await ConversationStore.RouteAsync(tx.Connection, tx.Transaction, m.ConversationId, m.CustomerId, m.Channel,
                new InboundMessage(m.Message, m.ChannelAccount, m.ThreadKey, m.ProviderMessageId, null), null, tx.Now, ct);
            await tx.CommitAsync(ct);
        }
        var conversation = await conversations.GetAsync(m.ConversationId, ct)
            ?? throw new InvalidOperationException($"Conversation {m.ConversationId} vanished after it was stored.");
        var result = await replies.SendAsync(conversation, NoContext, From, m.Text, m.Channel, $"auto-reply:{m.AutoReplyId}", ct);
        if (result.InProgress)
        {
            throw new TimeoutException("The auto-reply is being sent by another delivery of this event; tried again later.");
        }
        if (result.RefusedField is not null)
        {
            logger.LogWarning("No {Reason} auto-reply for conversation {ConversationId} on {Channel}: {Refusal}", m.Reason, m.ConversationId, m.Channel, result.Refusal);
        }
    }
}
