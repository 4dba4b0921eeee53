using Routing.Agents;
using Routing.Contracts;
using Routing.Conversations;
using Routing.Database;
using Routing.Identity;
using Routing.Observability;
using Routing.Policy;
using System.Globalization;
using Microsoft.Extensions.Options;

namespace Routing.Inbound;

/// <summary>
/// One inbound message in one transaction: dedupe, resolve the person, join their open conversation
/// (rule 1) or start one and route it (rules 2 to 5), record the receipt and the events.
/// </summary>
internal sealed class InboundRouter(RoutingDb db, ConversationRouter router, RoutingMetrics metrics, IOptions<RoutingOptions> options, IOptions<FaultOptions> faults)
{
    public async Task<InboundOutcome> RouteAsync(InboundMessageReceived message, CancellationToken ct)
    {
        var sender = Validate(message);
        // Channel names are data, compared lower-case everywhere (agents' channels are stored so too).
        message = message with { Channel = message.Channel.Trim().ToLowerInvariant() };

        await using var tx = await db.BeginAsync(ct);
        var (customerId, _) = await CustomerStore.ResolveAndLockAsync(tx.Connection, tx.Transaction, sender, message.Sender.DisplayName?.Trim(), tx.Now, ct);

        // The customer row lock serialises this check with any copy of the same message on any replica.
        var (duplicate, conversation, agent) = await ConversationStore.InboundContextAsync(tx, message.MessageId, customerId, ct);
        if (duplicate)
        {
            await tx.CommitAsync(ct);
            metrics.Duplicate(message.Channel);
            return new InboundOutcome(customerId, Guid.Empty, "duplicate", null, Duplicate: true);
        }

        RouteOutcome outcome;
        if (conversation is not null)
        {
            await ConversationStore.InsertMessageAsync(tx, conversation.Id, customerId, message, sender.Kind, sender.Value, ct);
            outcome = new RouteOutcome(conversation.Status, conversation.AgentId, Guid.Empty, "sticky");
            if (conversation is { Status: ConversationStatus.Open } && agent is not null
                && RoutingPolicy.ShouldRelease(agent.ToSnapshot(), tx.Now, options.Value.OfflineGrace))
            {
                outcome = await router.ReleaseAsync(tx, conversation, Triggers.OfflineGrace, exclude: false, ct);
            }
        }
        else
        {
            conversation = new ConversationRow
            {
                Id = tx.NewId(),
                CustomerId = customerId,
                Channel = message.Channel,
                ChannelAccount = message.ChannelAccount,
                ThreadKey = message.ThreadKey,
                Status = ConversationStatus.Queued,
                Priority = Priority(message),
                CreatedAt = tx.Now.UtcDateTime,
                WaitingSince = tx.Now.UtcDateTime,
                LastMessageAt = tx.Now.UtcDateTime,
            };
            await ConversationStore.InsertAsync(tx, conversation, ct);
            await ConversationStore.InsertMessageAsync(tx, conversation.Id, customerId, message, sender.Kind, sender.Value, ct);
            outcome = await router.RouteAsync(tx, conversation, Triggers.NewConversation, ct);
        }

        tx.Publish(new MessageRouted
        {
            MessageId = message.MessageId,
            ConversationId = conversation.Id,
            CustomerId = customerId,
            AgentId = outcome.AgentId,
            ConversationStatus = outcome.Status,
            Channel = message.Channel,
            ChannelAccount = message.ChannelAccount,
            ProviderMessageId = message.ProviderMessageId,
            Sender = message.Sender with { Kind = sender.Kind, Value = sender.Value },
            ThreadKey = message.ThreadKey,
            Subject = message.Subject,
            Text = message.Text,
            Attachments = message.Attachments,
            ReplyToProviderMessageId = message.ReplyToProviderMessageId,
            ReceivedAt = message.ReceivedAt,
            RoutedAt = tx.Now,
        });
        await tx.CommitAsync(ct);
        if (faults.Value.CrashAfterInboundCommit)
        {
            Environment.FailFast("Routing:Faults:CrashAfterInboundCommit: crashing between commit and publish");
        }
        return new InboundOutcome(customerId, conversation.Id, outcome.Status, outcome.AgentId, Duplicate: false);
    }

    /// <summary>Everything routing relies on, checked before any state changes; a failure names the field.</summary>
    internal static NormalizedAddress Validate(InboundMessageReceived m)
    {
        if (string.IsNullOrWhiteSpace(m.Channel))
        {
            throw new InvalidMessageException("channel", "is required");
        }
        if (string.IsNullOrWhiteSpace(m.ChannelAccount))
        {
            throw new InvalidMessageException("channelAccount", "is required");
        }
        if (string.IsNullOrWhiteSpace(m.ProviderMessageId))
        {
            throw new InvalidMessageException("providerMessageId", "is required");
        }
        if (m.MessageId != MessageIds.ForInbound(m.Channel, m.ProviderMessageId))
        {
            throw new InvalidMessageException("messageId", "must be MessageIds.ForInbound(channel, providerMessageId), so that retries collapse");
        }
        if (m.Sender is null)
        {
            throw new InvalidMessageException("sender", "is required");
        }
        if (!AddressNormalizer.TryNormalize(m.Sender.Kind, m.Sender.Value, out var sender, out var error))
        {
            throw new InvalidMessageException("sender", error);
        }
        if (m.ReceivedAt == default)
        {
            throw new InvalidMessageException("receivedAt", "is required");
        }
        if (m.Metadata is not null && m.Metadata.TryGetValue("priority", out var p) && !int.TryParse(p, NumberStyles.Integer, CultureInfo.InvariantCulture, out _))
        {
            throw new InvalidMessageException("metadata.priority", $"'{p}' is not an integer");
        }
        return sender;
    }

    private static int Priority(InboundMessageReceived m) =>
        m.Metadata is not null && m.Metadata.TryGetValue("priority", out var p) ? int.Parse(p, CultureInfo.InvariantCulture) : 0;
}
