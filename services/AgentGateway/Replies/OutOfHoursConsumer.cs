using System.Text.Json;
using MassTransit;
using Routing.AgentGateway.Conversations;
using Routing.AgentGateway.Database;
using Routing.AgentGateway.Messaging;
using Routing.Contracts;

namespace Routing.AgentGateway.Replies;

/// <summary>
/// A customer wrote out of hours: routing's auto-reply goes out on their channel like any reply, from the account they
/// wrote to, threaded under their message, once per conversation (its idempotency key), and shows in the conversation's
/// messages as written by "routing". The message that started the conversation comes with the event, so it does not
/// matter whether MessageRouted was applied first.
/// </summary>
internal sealed class ConversationOutOfHoursConsumer(GatewayDb db, ConversationStore conversations, ReplySender replies,
    ILogger<ConversationOutOfHoursConsumer> logger) : IConsumer<ConversationOutOfHours>
{
    /// <summary>Who the auto-reply is from, among the conversation's messages.</summary>
    public const string From = "routing";

    private static readonly JsonElement NoContext = JsonDocument.Parse("{}").RootElement.Clone();

    public async Task Consume(ConsumeContext<ConversationOutOfHours> context)
    {
        var m = context.Message;
        Require.Text(m.Channel, "channel");
        Require.Text(m.ChannelAccount, "channelAccount");
        Require.Text(m.AutoReply, "autoReply");
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
        var result = await replies.SendAsync(conversation, NoContext, From, m.AutoReply, m.Channel, $"out-of-hours:{m.ConversationId}", ct);
        if (result.InProgress)
        {
            throw new TimeoutException("The out-of-hours reply is being sent by another delivery of this event; tried again later.");
        }
        if (result.RefusedField is not null)
        {
            logger.LogWarning("No out-of-hours reply for conversation {ConversationId} on {Channel}: {Refusal}", m.ConversationId, m.Channel, result.Refusal);
        }
    }
}
