using Routing.AgentGateway.Attachments;
using Routing.AgentGateway.Events;
using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.Options;
using Npgsql;
using Routing.Contracts;

namespace Routing.AgentGateway.Replies;

/// <summary>The outcome of a reply request: sent to the adapter's queue (or already, for a retried request), or refused with the field at fault.</summary>
internal sealed record ReplyResult(Guid Id, string Channel, bool Repeated, string? RefusedField = null, string? Refusal = null, bool InProgress = false,
    string Visibility = MessageVisibility.Private);

/// <summary>
/// Turns an agent's reply into SendChannelMessage on the customer's channel: the channel the customer last wrote on
/// unless the agent names another the customer has an address on. The reply is recorded before it is sent, and sent
/// to the channel's queue ("{channel}-send-channel-message") once: a request retried with the same Idempotency-Key is
/// the same reply, answered from its record, and sends nothing; only a publish the broker never confirmed is made again,
/// with the same command id. A request repeated while the first one is still publishing is told so (409, try again):
/// answering it "accepted" would promise a send the first request may yet report unconfirmed.
/// Files the reply names (uploaded by the agent, or a customer's file of theirs) must suit the channel (ChannelFiles); the
/// adapter gets each as a signed link to the gateway (Gateway:Attachments:ProviderLinkLifetime), which the provider fetches
/// (MMS, WhatsApp, Messenger) or the adapter does (X, email).
/// A reply goes where the customer wrote: under their latest message on the channel, in public when that message was public
/// (a mention, a comment), unless the agent asks for the other visibility. In public it answers the customer's latest
/// public message there, within the channel's length (PublicReplies); in private after a public message it is a private
/// reply to that message (Meta's, which opens a direct conversation; on X a direct message). Meta takes one private reply per
/// comment or post, within 7 days of it (PublicReplies.PrivateReplyWindow): a second one, or a late one, is refused here.
/// </summary>
internal sealed class ReplySender(NpgsqlDataSource db, ISendEndpointProvider send, AttachmentStore files, AttachmentLinks links,
    IOptions<AttachmentOptions> fileOptions, IOptions<GatewayOptions> options, TimeProvider time)
{
    private static readonly Guid IdempotencyNamespace = new("2c6a0b8e-7d41-4a5f-8e93-61f0b2d47c18");

    public static Guid CommandIdFor(string agentId, string idempotencyKey) =>
        MessageIds.NameBased(IdempotencyNamespace, agentId + ":" + idempotencyKey);

    /// <summary>The address kind a channel reaches: SMS and WhatsApp both reach a phone.</summary>
    public static string KindOf(string channel) => channel switch
    {
        Channels.Sms or Channels.WhatsApp => "phone",
        _ => channel,
    };

    public async Task<ReplyResult> SendAsync(ConversationView conversation, JsonElement context, string agentId, string text, string? channel,
        string? idempotencyKey, CancellationToken ct, IReadOnlyList<Guid>? attachmentIds = null, string? visibility = null)
    {
        attachmentIds ??= [];
        await using var connection = await db.OpenConnectionAsync(ct);
        channel = channel?.Trim().ToLowerInvariant() ?? await ReplyStore.LastChannelAsync(connection, conversation.Id, ct) ?? conversation.Channel;
        var target = await ReplyStore.LatestInboundAsync(connection, conversation.Id, conversation.CustomerId, channel, ct) ?? FromAddresses(context, channel);
        var id = idempotencyKey is null ? Guid.CreateVersion7() : CommandIdFor(agentId, idempotencyKey);
        visibility ??= target?.Visibility ?? MessageVisibility.Private;
        string? privateReplyTo = null;
        if (visibility == MessageVisibility.Public)
        {
            target = await ReplyStore.LatestInboundAsync(connection, conversation.Id, conversation.CustomerId, channel, ct, MessageVisibility.Public);
            if (!PublicReplies.Supported(channel) || target is null)
            {
                return new ReplyResult(id, channel, false, "visibility",
                    $"cannot be public: the customer wrote nothing public on {channel} to answer under", Visibility: visibility);
            }
            if (PublicReplies.Refusal(channel, text) is { } tooLong)
            {
                return new ReplyResult(id, channel, false, "text", $"cannot be posted: {tooLong}", Visibility: visibility);
            }
            if (attachmentIds.Count > 0 && channel == Channels.Instagram)
            {
                return new ReplyResult(id, channel, false, "attachments", "cannot go in a public reply on instagram: a comment carries words only", Visibility: visibility);
            }
        }
        else if (target is { Visibility: MessageVisibility.Public } answered)
        {
            // The customer's latest words here were public: the private answer is a private reply to them, not in their thread.
            privateReplyTo = answered.ReplyToProviderMessageId;
            // Meta's private reply is one per comment or post, within 7 days: refused here, while the agent writes, not by Meta later
            if (privateReplyTo is not null && PublicReplies.PrivateReplyWindow(channel) is not null && answered.CustomerLastMessageAt is { } writtenAt
                && PublicReplies.PrivateReplyRefusal(channel, new DateTimeOffset(writtenAt, TimeSpan.Zero), time.GetUtcNow(),
                    await ReplyStore.AnsweredPrivatelyAsync(connection, id, channel, privateReplyTo, ct)) is { } refused)
            {
                return new ReplyResult(id, channel, false, "visibility", $"cannot be private: {refused}", Visibility: visibility);
            }
            // The thread key (the post) stays: Meta's private reply to a visitor's post names the post, to a comment the comment.
            target = answered with { ReplyToProviderMessageId = null, CustomerLastMessageAt = null };
        }
        if (target is null)
        {
            return new ReplyResult(id, channel, false, "channel", $"the customer has no address on {channel}");
        }
        if (target.ChannelAccount.Length == 0)
        {
            return new ReplyResult(id, channel, false, "channel",
                $"the customer never wrote on {channel} and no account to reply from is configured (Gateway:ChannelAccounts:{channel})");
        }
        var (attachments, refusal) = await AttachmentsAsync(attachmentIds, agentId, channel, ct);
        if (refusal is not null)
        {
            return new ReplyResult(id, channel, false, "attachments", refusal);
        }
        var now = time.GetUtcNow();
        var ids = attachmentIds.ToArray();
        // the conversation shows the files as the agent API's links, as it shows the customer's
        var shown = JsonSerializer.Serialize(attachments.Select((a, i) => a with { Url = AttachmentIds.Path(ids[i]) }), AgentEventLog.Json);
        var inserted = await ReplyStore.InsertAsync(connection, id, conversation, agentId, channel, target, text, ids, shown, now, ct, visibility,
            privateReplyTo);
        if (!inserted)
        {
            // A retried request: the reply went to the adapter's queue when it was recorded, so nothing goes out again
            // (the adapters know a command id they already sent), unless that publish was never confirmed.
            if (!await ReplyStore.SameAsync(connection, id, conversation.Id, channel, text, ids, ct))
            {
                return new ReplyResult(id, channel, true, "Idempotency-Key", "was used for a different reply");
            }
            // a publish under way longer than this has lost its request (a crash, the database gone mid-way)
            var staleBefore = now - options.Value.PublishTimeout * 3;
            if (!await ReplyStore.ClaimUnconfirmedAsync(connection, id, staleBefore, ct))
            {
                // Another request is publishing it now: whether it goes is not known yet, so this one cannot say it did.
                return await ReplyStore.PublishingAsync(connection, id, ct)
                    ? new ReplyResult(id, channel, true, InProgress: true, Visibility: visibility)
                    : new ReplyResult(id, channel, true, Visibility: visibility);
            }
        }
        var command = new SendChannelMessage
        {
            CommandId = id,
            ConversationId = conversation.Id,
            AgentId = agentId,
            Channel = channel,
            ChannelAccount = target.ChannelAccount,
            To = new CustomerAddress { Kind = target.AddressKind, Value = target.AddressValue, DisplayName = target.DisplayName },
            ThreadKey = target.ThreadKey,
            Subject = target.Subject,
            Text = text,
            Attachments = attachments,
            ReplyToProviderMessageId = target.ReplyToProviderMessageId,
            Visibility = visibility,
            PrivateReplyTo = privateReplyTo,
            CustomerLastMessageAt = target.CustomerLastMessageAt is { } last ? new DateTimeOffset(last, TimeSpan.Zero) : null,
            RequestedAt = now,
        };
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(options.Value.PublishTimeout);
            var endpoint = await send.GetSendEndpoint(new Uri($"queue:{channel}-send-channel-message"));
            await endpoint.Send(command, timeout.Token);
        }
        catch
        {
            // The broker did not confirm in time: the command may or may not be on the queue. The record stays, marked
            // unconfirmed, and the agent's retry with the same Idempotency-Key publishes the same command id again, which
            // the adapter sends at most once.
            await ReplyStore.MarkUnconfirmedAsync(connection, id, CancellationToken.None);
            throw;
        }
        await ReplyStore.PublishedAsync(connection, id, CancellationToken.None);
        return new ReplyResult(id, channel, !inserted, Visibility: visibility);
    }

    /// <summary>
    /// The files as the adapter gets them (each a signed link the provider can fetch), or why the reply cannot carry them:
    /// a file that is not the agent's, not kept, or that the channel does not take.
    /// </summary>
    private async Task<(IReadOnlyList<MessageAttachment> Files, string? Refusal)> AttachmentsAsync(IReadOnlyList<Guid> ids, string agentId, string channel,
        CancellationToken ct)
    {
        if (ids.Count == 0)
        {
            return ([], null);
        }
        if (ids.Distinct().Count() != ids.Count)
        {
            return ([], "name a file more than once");
        }
        var rows = (await files.VisibleAsync(ids, agentId, ct)).ToDictionary(r => r.Id);
        var attachments = new List<MessageAttachment>();
        foreach (var id in ids)
        {
            if (!rows.TryGetValue(id, out var row))
            {
                return ([], $"name {id}, which is not a file of yours (upload it with POST /attachments)");
            }
            if (row.Status != "stored")
            {
                return ([], $"name {row.FileName ?? id.ToString()}, which is not kept ({row.Reason ?? row.Status})");
            }
            attachments.Add(new MessageAttachment
            {
                ContentType = row.ContentType, FileName = row.FileName, SizeBytes = row.SizeBytes,
                Url = links.Signed(id, fileOptions.Value.ProviderLinkLifetime),
            });
        }
        if (ChannelFiles.Refusal(channel, attachments) is { } refusal)
        {
            return ([], $"cannot go on {channel}: {refusal}");
        }
        if (links.BaseUrl.Length == 0)
        {
            return ([], "cannot be sent: the gateway's public address (Gateway:Attachments:PublicBaseUrl) is not configured, so no provider could fetch them");
        }
        return (attachments, null);
    }

    /// <summary>A channel the customer has an address on but never wrote on: the configured account replies.</summary>
    private ReplyTarget? FromAddresses(JsonElement context, string channel)
    {
        var kind = KindOf(channel);
        if (!context.TryGetProperty("customer", out var customer) || !customer.TryGetProperty("addresses", out var addresses))
        {
            return null;
        }
        foreach (var address in addresses.EnumerateArray())
        {
            if (address.GetProperty("kind").GetString() == kind)
            {
                options.Value.ChannelAccounts.TryGetValue(channel, out var account);
                return new ReplyTarget(account ?? "", kind, address.GetProperty("value").GetString()!,
                    address.TryGetProperty("displayName", out var name) ? name.GetString() : null, null, null, null, null);
            }
        }
        return null;
    }
}
