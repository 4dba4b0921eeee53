using System.Globalization;
using System.Text.Json;
using Routing.Adapters.Webhooks;
using Routing.Contracts;
using static Routing.Adapters.Webhooks.JsonPayload;

namespace Routing.Adapters.Meta;

/// <summary>Which of Meta's messaging products a webhook carries: its "object", the channel routing sees, and the customer's address kind.</summary>
public sealed record MessagingProduct(string Object, string Channel, string AddressKind);

/// <summary>
/// The Messenger Platform's messaging webhooks, which Messenger (object "page") and Instagram direct messages (object
/// "instagram") share: every messaging item of every entry (Meta batches). Messages with text, attachments, quick
/// replies and replies (to a message or, on Instagram, to a story); story mentions; postbacks (button taps) and reactions
/// as messages; echoes of our own messages, deleted messages and unreacts ignored; deliveries and reads as statuses, which
/// Messenger gives as watermarks and Instagram by message id. References:
/// https://developers.facebook.com/docs/messenger-platform/reference/webhook-events and
/// https://developers.facebook.com/docs/instagram-platform/webhooks/examples. The webhooks carry no names: a name needs a
/// Graph API call, never made inside a webhook. An entry's "changes" (a Page's feed, an Instagram account's comments) are
/// public messages, read by <see cref="PublicChanges"/>.
/// </summary>
public static class MessagingEvents
{
    public static WebhookContent Parse(MessagingProduct product, WebhookRequest request, DateTimeOffset receivedAt)
    {
        using var document = JsonPayload.Parse(request.Body);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object || String(root, "object") != product.Object)
        {
            throw new MalformedWebhookException("object", "must be " + product.Object);
        }
        var items = new Items(product, receivedAt);
        var skipped = new List<SkippedItem>();
        foreach (var (entry, e) in Array(root, "entry", "entry").Select((x, i) => (x, i)))
        {
            // "standby" items belong to another app that holds the thread (handover protocol): not ours to route.
            foreach (var (item, m) in Optional(entry, "messaging").Select((x, i) => (x, i)))
            {
                SkippedItem.Try(skipped, () => items.Read(item, $"entry[{e}].messaging[{m}]"));
            }
            // comments and visitor posts, when the app subscribes to the Page's feed or the account's comments
            SkippedItem.Try(skipped, () => PublicChanges.Read(product, entry, $"entry[{e}]", receivedAt, items.Messages, skipped));
        }
        return new WebhookContent(items.Messages, items.Statuses) { Skipped = skipped };
    }

    private sealed class Items(MessagingProduct product, DateTimeOffset receivedAt)
    {
        public List<InboundMessageReceived> Messages { get; } = [];

        public List<DeliveryStatusChanged> Statuses { get; } = [];

        /// <summary>One item of an entry's "messaging": a message, a postback, a reaction, a delivery or a read.</summary>
        public void Read(JsonElement item, string path)
        {
            var sender = Object(item, "sender") is { } s ? RequiredString(s, "id", $"{path}.sender") : throw new MalformedWebhookException($"{path}.sender", "is required");
            var account = Object(item, "recipient") is { } r ? RequiredString(r, "id", $"{path}.recipient") : throw new MalformedWebhookException($"{path}.recipient", "is required");
            var at = Time(item, "timestamp") ?? receivedAt;
            var conversation = new Parties(sender, account, at);
            if (Object(item, "message") is { } message)
            {
                // our own messages coming back, and a message the customer deleted (Instagram says so with its mid)
                if (!Bool(message, "is_echo") && !Bool(message, "is_deleted"))
                {
                    Messages.Add(Message(message, path, conversation));
                }
            }
            else if (Object(item, "postback") is { } postback)
            {
                var metadata = new Dictionary<string, string> { ["postback_payload"] = String(postback, "payload") ?? "" };
                Messages.Add(Inbound(RequiredString(postback, "mid", $"{path}.postback"), conversation, String(postback, "title"), [], null, metadata));
            }
            else if (Object(item, "reaction") is { } reaction)
            {
                if (Reaction(reaction, path, conversation) is { } reacted)
                {
                    Messages.Add(reacted);
                }
            }
            else if (Object(item, "delivery") is { } delivery)
            {
                Statuses.AddRange(Delivery(delivery, path, conversation));
            }
            else if (Object(item, "read") is { } read)
            {
                Statuses.Add(String(read, "mid") is { Length: > 0 } mid
                    ? Status("read", conversation, mid, upTo: null, at)
                    : Watermark("read", Time(read, "watermark") ?? throw new MalformedWebhookException($"{path}.read.watermark", "is required"), conversation));
            }
            // referrals, opt-ins, edits: not customer messages to route
        }

        private InboundMessageReceived Message(JsonElement message, string path, Parties conversation)
        {
            var mid = RequiredString(message, "mid", $"{path}.message");
            var metadata = new Dictionary<string, string>();
            if (Object(message, "quick_reply") is { } quickReply && String(quickReply, "payload") is { } payload)
            {
                metadata["quick_reply_payload"] = payload;
            }
            if (Bool(message, "is_unsupported"))
            {
                // Instagram: something the API does not pass on (a voice effect, a shared story of someone else's)
                metadata["unsupported"] = "true";
            }
            var attachments = new List<MessageAttachment>();
            var text = String(message, "text");
            foreach (var attachment in Optional(message, "attachments"))
            {
                var type = String(attachment, "type") ?? "fallback";
                var content = Object(attachment, "payload");
                if (type == "location" && content is { } place && Object(place, "coordinates") is { } coordinates)
                {
                    metadata["latitude"] = Number(coordinates, "lat") ?? "";
                    metadata["longitude"] = Number(coordinates, "long") ?? "";
                    text ??= $"{metadata["latitude"]},{metadata["longitude"]}";
                    continue;
                }
                if (type == "story_mention")
                {
                    metadata["story_mention"] = "true";
                }
                if (content is not { } body || String(body, "url") is not { } url)
                {
                    continue; // a fallback share without a payload: nothing an agent can open
                }
                attachments.Add(new MessageAttachment { ContentType = ContentType(type), Url = url, FileName = String(attachment, "title") ?? String(body, "title") });
            }
            string? replyTo = null;
            if (Object(message, "reply_to") is { } reply)
            {
                replyTo = String(reply, "mid");
                // Instagram: a reply to the account's story, which is gone from Instagram's CDN after 24 hours; the gateway keeps it
                if (Object(reply, "story") is { } story)
                {
                    metadata["reply_to_story"] = String(story, "id") ?? "";
                    if (String(story, "url") is { Length: > 0 } storyUrl)
                    {
                        attachments.Add(new MessageAttachment { ContentType = "application/octet-stream", Url = storyUrl, FileName = "story" });
                    }
                }
            }
            return Inbound(mid, conversation, text, attachments, replyTo, metadata);
        }

        /// <summary>
        /// A reaction to one of the conversation's messages, as a message of its own whose text is the emoji (what the customer
        /// sees they sent), replying to the message reacted to. Taking a reaction back is not a message.
        /// </summary>
        private InboundMessageReceived? Reaction(JsonElement reaction, string path, Parties conversation)
        {
            var mid = RequiredString(reaction, "mid", $"{path}.reaction");
            if (String(reaction, "action") == "unreact")
            {
                return null;
            }
            var name = String(reaction, "reaction") ?? "other";
            var emoji = String(reaction, "emoji");
            var metadata = new Dictionary<string, string> { ["reaction"] = name };
            // the reaction's own id: one customer's reaction to one message (a changed reaction is a new one, with its time)
            var id = $"reaction:{mid}:{conversation.At.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)}";
            return Inbound(id, conversation, emoji ?? name, [], mid, metadata);
        }

        private InboundMessageReceived Inbound(string mid, Parties conversation, string? text, List<MessageAttachment> attachments, string? replyTo,
            Dictionary<string, string> metadata) => new()
        {
            MessageId = MessageIds.ForInbound(product.Channel, mid),
            Channel = product.Channel,
            ChannelAccount = conversation.Account,
            ProviderMessageId = mid,
            // The Page-scoped (Instagram-scoped) ID: the same person for every message to this Page (account).
            Sender = new CustomerAddress { Kind = product.AddressKind, Value = conversation.Sender },
            Text = text,
            Attachments = attachments,
            ProviderTimestamp = conversation.At,
            ReceivedAt = receivedAt,
            ReplyToProviderMessageId = replyTo,
            Metadata = metadata,
        };

        private IEnumerable<DeliveryStatusChanged> Delivery(JsonElement delivery, string path, Parties conversation)
        {
            var watermark = Time(delivery, "watermark");
            var mids = Optional(delivery, "mids").Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!).ToList();
            if (mids.Count == 0)
            {
                return [Watermark("delivered", watermark ?? throw new MalformedWebhookException($"{path}.delivery.watermark", "is required"), conversation)];
            }
            return mids.Select(mid => Status("delivered", conversation, mid, upTo: null, watermark ?? conversation.At));
        }

        private DeliveryStatusChanged Watermark(string status, DateTimeOffset upTo, Parties conversation) =>
            Status(status, conversation, null, upTo, upTo);

        private DeliveryStatusChanged Status(string status, Parties conversation, string? mid, DateTimeOffset? upTo, DateTimeOffset at) => new()
        {
            Channel = product.Channel,
            ChannelAccount = conversation.Account,
            ProviderMessageId = mid,
            Recipient = new CustomerAddress { Kind = product.AddressKind, Value = conversation.Sender },
            Status = status,
            UpTo = upTo,
            OccurredAt = at,
        };
    }

    /// <summary>The customer, our Page or account, and when the item happened.</summary>
    private sealed record Parties(string Sender, string Account, DateTimeOffset At);

    /// <summary>What an attachment's type says of its media type; the gateway learns the exact one when it fetches the file.</summary>
    private static string ContentType(string type) => type switch
    {
        "image" or "share" or "ig_post" => "image/*",
        "video" or "reel" or "ig_reel" => "video/*",
        "audio" => "audio/*",
        "fallback" => "text/uri-list",
        _ => "application/octet-stream",
    };

    /// <summary>
    /// Messenger's times are Unix milliseconds, though some of Meta's own examples (postbacks) show seconds:
    /// a value below 10^11 would be early 1973 in milliseconds, so it is read as seconds.
    /// </summary>
    private static DateTimeOffset? Time(JsonElement element, string property) =>
        Number(element, property) is { } raw && long.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value < 100_000_000_000 ? UnixTime.FromSeconds(value) : UnixTime.FromMilliseconds(value)
            : null;
}
