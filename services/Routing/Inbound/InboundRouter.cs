using Routing.Assignment;
using Routing.Messaging;
using Routing.Contracts;
using Routing.Database;
using Routing.Observability;
using Routing.Policy;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Options;
using Routing.Addresses;

namespace Routing.Inbound;

/// <summary>
/// Routes inbound messages, a batch in one transaction: dedupe, resolve the people, join their open
/// conversations (rule 1) or start conversations and route them (rules 2 to 5), record the receipts
/// and the events. Everything but the routing decisions is one set-based statement for the batch.
/// </summary>
internal sealed class InboundRouter(RoutingDb db, AgentChooser chooser, ConversationLifecycle lifecycle, RoutingMetrics metrics, IOptions<RoutingOptions> options, IOptions<FaultOptions> faults,
    ILogger<InboundRouter> logger)
{
    public async Task<InboundOutcome> RouteAsync(InboundMessageReceived message, CancellationToken ct) =>
        (await RouteBatchAsync([InboundItem.From(message, options.Value.Identity)], ct))[0];

    /// <summary>The outcome of each item, in the items' order; the messages are handled in that order too.</summary>
    public async Task<IReadOnlyList<InboundOutcome>> RouteBatchAsync(IReadOnlyList<InboundItem> items, CancellationToken ct)
    {
        await using var tx = await db.BeginAsync(ct);

        // A replayed signature's message creates nothing, not even its sender's customer.
        var replays = await DeliveryNonces.ReplaysAsync(tx, items.Select(i => i.Message).ToList(), ct);
        // The last name a message of the batch gives an address is the one kept.
        var senders = new Dictionary<NormalizedAddress, string?>();
        foreach (var item in items.Where(i => !replays.Contains(i.Message.MessageId)))
        {
            var name = string.IsNullOrWhiteSpace(item.Message.Sender.DisplayName) ? null : item.Message.Sender.DisplayName.Trim();
            senders[item.Identity] = name ?? senders.GetValueOrDefault(item.Identity);
        }
        var customers = await CustomerStore.ResolveAndLockAsync(tx.Connection, tx.Transaction, senders, tx.Now, ct);

        // The customer row locks serialise this check with any copy of the same messages on any replica.
        var reopenWindow = options.Value.ReopenWindow;
        var context = await ConversationStore.InboundContextAsync(tx,
            items.Select(i => i.Message.MessageId).Distinct().ToArray(), customers.Values.Distinct().ToArray(),
            reopenWindow > TimeSpan.Zero ? tx.Now - reopenWindow : DateTimeOffset.MaxValue, ct);
        var active = context.Active.ToDictionary(c => c.CustomerId);
        // Conversations closed as idle that their customer came back to, and the agent who had each.
        var reopened = new Dictionary<Guid, string?>();
        var started = new List<ConversationRow>();
        var startedIds = new HashSet<Guid>();
        var joined = new HashSet<Guid>();
        // the trace of the message that started each conversation: its routing decision is a span of that trace
        var traces = new Dictionary<Guid, ActivityContext>();
        var stored = new List<(int Index, InboundMessageRow Row, ConversationRow Conversation)>();
        var outcomes = new InboundOutcome[items.Count];
        for (var i = 0; i < items.Count; i++)
        {
            var (message, sender, identity, _) = items[i];
            if (replays.Contains(message.MessageId))
            {
                // the channel only: the nonce and the sender stay out of the log
                logger.LogWarning("Message {MessageId} on {Channel} came with a delivery nonce another message used: a replayed signature, not routed",
                    message.MessageId, message.Channel);
                outcomes[i] = new InboundOutcome(Guid.Empty, Guid.Empty, "replay", null, Duplicate: true);
                tx.AfterCommit(() => metrics.Replay(message.Channel));
                continue;
            }
            var customerId = customers[identity];
            if (!context.Seen.Add(message.MessageId))
            {
                outcomes[i] = new InboundOutcome(customerId, Guid.Empty, "duplicate", null, Duplicate: true);
                tx.AfterCommit(() => metrics.Duplicate(message.Channel));
                continue;
            }
            if (!active.TryGetValue(customerId, out var conversation) && context.Returning.TryGetValue(customerId, out var returning))
            {
                conversation = returning with { Status = ConversationStatus.Queued, AgentId = null };
                active[customerId] = conversation;
                reopened[conversation.Id] = returning.AgentId;
                traces[conversation.Id] = items[i].Trace;
            }
            else if (conversation is null)
            {
                conversation = NewConversation(tx, customerId, message, options.Value);
                // a VIP's conversation starts with their priority, unless the adapter gave a higher one
                conversation = conversation with { Priority = Math.Max(conversation.Priority, context.Priorities.GetValueOrDefault(customerId)) };
                active[customerId] = conversation;
                started.Add(conversation);
                startedIds.Add(conversation.Id);
                traces[conversation.Id] = items[i].Trace;
            }
            else if (!startedIds.Contains(conversation.Id) && !reopened.ContainsKey(conversation.Id))
            {
                joined.Add(conversation.Id);
            }
            stored.Add((i, new InboundMessageRow(message, conversation.Id, customerId, sender, Priority(message, options.Value.Public)), conversation));
        }
        await ConversationStore.InsertInboundAsync(tx, started, stored.Select(s => s.Row).ToList(), joined, reopened.Keys, ct);

        // The conversations the batch started are routed in the order of their first message; then the joined ones
        // whose agent has been offline past the grace period are taken from that agent (rule 1's exception).
        var decided = new Dictionary<Guid, RouteOutcome>(await chooser.RouteNewAsync(tx, started, ct, traces));
        foreach (var (id, previousAgent) in reopened)
        {
            using var decision = RoutingTracing.Decision(RoutingTriggers.CustomerReturned, id, traces[id]);
            var conversation = await ConversationStore.GetAsync(tx, id, ct) ?? throw new InvalidOperationException("Conversation vanished.");
            var outcome = decided[id] = await chooser.RouteAsync(tx, conversation, RoutingTriggers.CustomerReturned, ct, previousAgentId: previousAgent);
            decision.Decided(outcome.Status, outcome.Reason, outcome.AgentId, outcome.DecisionId);
        }
        // Out of hours, whoever waits is told when to expect an answer.
        foreach (var id in startedIds.Concat(reopened.Keys))
        {
            if (decided[id].Status != ConversationStatus.Open)
            {
                var first = stored.First(s => s.Conversation.Id == id);
                await OutOfHoursReply.TellIfClosedAsync(tx, first.Conversation, first.Row, options.Value.BusinessHours, ct);
            }
        }
        // A queued conversation whose customer moved to another channel may have someone free on that one.
        var lastChannel = stored.ToLookup(s => s.Conversation.Id, s => s.Row.Message.Channel).ToDictionary(g => g.Key, g => g.Last());
        foreach (var (index, _, conversation) in stored)
        {
            if (decided.ContainsKey(conversation.Id))
            {
                continue;
            }
            var outcome = new RouteOutcome(conversation.Status, conversation.AgentId, Guid.Empty, "sticky");
            if (conversation is { Status: ConversationStatus.Open, AgentId: { } agentId } && context.Agents.TryGetValue(agentId, out var agent)
                && RoutingPolicy.ShouldRelease(agent.ToSnapshot(), tx.Now, options.Value.OfflineGrace))
            {
                using var decision = RoutingTracing.Decision(RoutingTriggers.OfflineGrace, conversation.Id, items[index].Trace);
                outcome = await lifecycle.ReleaseAsync(tx, conversation, RoutingTriggers.OfflineGrace, exclude: false, ct);
                decision.Decided(outcome.Status, outcome.Reason, outcome.AgentId, outcome.DecisionId);
            }
            else if (conversation.Status == ConversationStatus.Queued && lastChannel[conversation.Id] != conversation.Channel
                     && await ConversationStore.GetAsync(tx, conversation.Id, ct) is { } moved)
            {
                using var decision = RoutingTracing.Decision(RoutingTriggers.ChannelChanged, conversation.Id, items[index].Trace);
                outcome = await chooser.RouteAsync(tx, moved, RoutingTriggers.ChannelChanged, ct);
                decision.Decided(outcome.Status, outcome.Reason, outcome.AgentId, outcome.DecisionId);
            }
            decided[conversation.Id] = outcome;
        }

        foreach (var (index, row, conversation) in stored)
        {
            var outcome = decided[conversation.Id];
            var message = row.Message;
            using var span = RoutingTracing.Message(message.MessageId, conversation.Id, outcome.Status, items[index].Trace);
            tx.Publish(new MessageRouted
            {
                MessageId = message.MessageId,
                ConversationId = conversation.Id,
                CustomerId = row.CustomerId,
                AgentId = outcome.AgentId,
                ConversationStatus = outcome.Status,
                Channel = message.Channel,
                ChannelAccount = message.ChannelAccount,
                ProviderMessageId = message.ProviderMessageId,
                Sender = message.Sender with { Kind = row.Sender.Kind, Value = row.Sender.Value },
                ThreadKey = message.ThreadKey,
                Subject = message.Subject,
                Text = message.Text,
                Attachments = message.Attachments,
                ReplyToProviderMessageId = message.ReplyToProviderMessageId,
                Visibility = message.Visibility,
                Post = message.Post,
                ReceivedAt = message.ReceivedAt,
                RoutedAt = tx.Now,
            });
            outcomes[index] = new InboundOutcome(row.CustomerId, conversation.Id, outcome.Status, outcome.AgentId, Duplicate: false);
        }
        await tx.CommitAsync(ct);
        metrics.InboundBatch(items.Count);
        if (faults.Value.CrashAfterInboundCommit)
        {
            Environment.FailFast("Routing:Faults:CrashAfterInboundCommit: crashing between commit and publish");
        }
        return outcomes;
    }

    private static ConversationRow NewConversation(RoutingTransaction tx, Guid customerId, InboundMessageReceived message, RoutingOptions options)
    {
        var (language, skills, team) = ConversationRequirements.Of(message, options.Requirements);
        return new ConversationRow
        {
        Id = tx.NewId(),
        CustomerId = customerId,
        Channel = message.Channel,
        ChannelAccount = message.ChannelAccount,
        ThreadKey = message.ThreadKey,
        Status = ConversationStatus.Queued,
        Priority = Priority(message, options.Public),
        Visibility = message.Visibility,
        CreatedAt = tx.Now.UtcDateTime,
        WaitingSince = tx.Now.UtcDateTime,
        LastMessageAt = tx.Now.UtcDateTime,
        Language = language,
        Skills = skills,
        Team = team,
        };
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
        if (!MessageVisibility.IsKnown(m.Visibility))
        {
            throw new InvalidMessageException("visibility", "must be private or public");
        }
        if (m.Visibility == MessageVisibility.Public && string.IsNullOrWhiteSpace(m.Post?.PostId))
        {
            throw new InvalidMessageException("post.postId", "is required for a public message: a reply goes under that post");
        }
        if (m.Post is { Permalink: { } link } && !(Uri.TryCreate(link, UriKind.Absolute, out var permalink) && permalink.Scheme == Uri.UriSchemeHttps))
        {
            throw new InvalidMessageException("post.permalink", "must be an https link");
        }
        ConversationRequirements.Validate(m);
        return sender;
    }

    /// <summary>The adapter's "priority", raised to public's for a public message.</summary>
    private static int Priority(InboundMessageReceived m, PublicOptions publicOptions)
    {
        var given = m.Metadata is not null && m.Metadata.TryGetValue("priority", out var p) ? int.Parse(p, CultureInfo.InvariantCulture) : 0;
        return m.Visibility == MessageVisibility.Public ? Math.Max(given, publicOptions.Priority) : given;
    }
}

/// <summary>
/// A validated inbound message (channel in lower case, as channel names are compared everywhere), its sender's normalized
/// address (where replies go), and the identity that names the customer: the address itself, or for an unverified
/// sender kept apart, the address under its "-unverified" kind.
/// </summary>
/// <summary>A validated inbound message, with the trace it was consumed in (its routing continues that trace).</summary>
internal sealed record InboundItem(InboundMessageReceived Message, NormalizedAddress Sender, NormalizedAddress Identity, ActivityContext Trace)
{
    /// <summary>Validates the message; an invalid one throws <see cref="InvalidMessageException"/> naming the field.</summary>
    public static InboundItem From(InboundMessageReceived message, IdentityOptions identity)
    {
        var sender = InboundRouter.Validate(message);
        var apart = message.SenderVerified == false && identity.UnverifiedSenders == UnverifiedSenders.Separate;
        return new InboundItem(message with { Channel = message.Channel.Trim().ToLowerInvariant() }, sender,
            apart ? sender with { Kind = sender.Kind + IdentityOptions.UnverifiedSuffix } : sender, Activity.Current?.Context ?? default);
    }
}
