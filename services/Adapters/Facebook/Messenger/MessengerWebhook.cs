using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Routing.Adapters.Meta;
using Routing.Adapters.Webhooks;
using Routing.Contracts;
using static Routing.Adapters.Webhooks.JsonPayload;

namespace Routing.Adapters.Facebook.Messenger;

/// <summary>
/// Messenger Platform webhooks (object "page"): every messaging item of every entry (Meta batches).
/// Messages with text, attachments, quick replies and replies; postbacks (button taps) as messages;
/// echoes of the Page's own messages ignored; deliveries and reads as statuses, which Messenger gives as
/// watermarks. References: https://developers.facebook.com/docs/messenger-platform/reference/webhook-events.
/// Messenger's webhooks carry no names: the sender's name needs a Graph API call, never made inside a webhook.
/// </summary>
internal sealed class MessengerWebhook(IOptions<MessengerOptions> options) : IChannelWebhook
{
    public string Channel => Channels.Facebook;

    public IReadOnlyCollection<string> MediaTypes { get; } = ["application/json"];

    public (string Body, string ContentType) Acknowledgement => ("EVENT_RECEIVED", "text/plain");

    public SignatureCheck Verify(WebhookRequest request) =>
        ProviderSecrets.Verify(options.Value.AppSecret, options.Value.PreviousAppSecrets, secret => MetaSignature.Verify(secret, request));

    public WebhookContent Parse(WebhookRequest request, DateTimeOffset receivedAt)
    {
        using var document = JsonPayload.Parse(request.Body);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object || String(root, "object") != "page")
        {
            throw new MalformedWebhookException("object", "must be page");
        }
        var messages = new List<InboundMessageReceived>();
        var statuses = new List<DeliveryStatusChanged>();
        var skipped = new List<SkippedItem>();
        foreach (var (entry, e) in Array(root, "entry", "entry").Select((x, i) => (x, i)))
        {
            // "standby" items belong to another app that holds the thread (handover protocol): not ours to route.
            foreach (var (item, m) in Optional(entry, "messaging").Select((x, i) => (x, i)))
            {
                SkippedItem.Try(skipped, () => Item(item, $"entry[{e}].messaging[{m}]", receivedAt, messages, statuses));
            }
        }
        return new WebhookContent(messages, statuses) { Skipped = skipped };
    }

    /// <summary>One item of an entry's "messaging": a message, a postback, a delivery or a read.</summary>
    private static void Item(JsonElement item, string path, DateTimeOffset receivedAt, List<InboundMessageReceived> messages, List<DeliveryStatusChanged> statuses)
    {
        var sender = Object(item, "sender") is { } s ? RequiredString(s, "id", $"{path}.sender") : throw new MalformedWebhookException($"{path}.sender", "is required");
        var page = Object(item, "recipient") is { } r ? RequiredString(r, "id", $"{path}.recipient") : throw new MalformedWebhookException($"{path}.recipient", "is required");
        var at = Time(item, "timestamp") ?? receivedAt;
        if (Object(item, "message") is { } message)
        {
            if (!Bool(message, "is_echo"))
            {
                messages.Add(Message(message, path, sender, page, at, receivedAt));
            }
        }
        else if (Object(item, "postback") is { } postback)
        {
            messages.Add(Postback(postback, path, sender, page, at, receivedAt));
        }
        else if (Object(item, "delivery") is { } delivery)
        {
            statuses.AddRange(Delivery(delivery, path, sender, page, at));
        }
        else if (Object(item, "read") is { } read)
        {
            statuses.Add(Watermark("read", Time(read, "watermark") ?? throw new MalformedWebhookException($"{path}.read.watermark", "is required"), sender, page));
        }
        // reactions, referrals, opt-ins, edits: not customer messages to route
    }

    private static InboundMessageReceived Message(JsonElement message, string path, string sender, string page, DateTimeOffset at, DateTimeOffset receivedAt)
    {
        var mid = RequiredString(message, "mid", $"{path}.message");
        var metadata = new Dictionary<string, string>();
        if (Object(message, "quick_reply") is { } quickReply && String(quickReply, "payload") is { } payload)
        {
            metadata["quick_reply_payload"] = payload;
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
            if (content is not { } body || String(body, "url") is not { } url)
            {
                continue; // a fallback share without a payload: nothing an agent can open
            }
            attachments.Add(new MessageAttachment
            {
                ContentType = type switch
                {
                    "image" => "image/*",
                    "video" or "reel" or "ig_reel" => "video/*",
                    "audio" => "audio/*",
                    "fallback" => "text/uri-list",
                    _ => "application/octet-stream",
                },
                Url = url,
                FileName = String(attachment, "title"),
            });
        }
        return Inbound(mid, sender, page, text, attachments, at, receivedAt,
            Object(message, "reply_to") is { } replyTo ? String(replyTo, "mid") : null, metadata);
    }

    private static InboundMessageReceived Postback(JsonElement postback, string path, string sender, string page, DateTimeOffset at, DateTimeOffset receivedAt)
    {
        var mid = RequiredString(postback, "mid", $"{path}.postback");
        var metadata = new Dictionary<string, string> { ["postback_payload"] = String(postback, "payload") ?? "" };
        return Inbound(mid, sender, page, String(postback, "title"), [], at, receivedAt, null, metadata);
    }

    private static InboundMessageReceived Inbound(string mid, string sender, string page, string? text, List<MessageAttachment> attachments,
        DateTimeOffset at, DateTimeOffset receivedAt, string? replyTo, Dictionary<string, string> metadata) => new()
    {
        MessageId = MessageIds.ForInbound(Channels.Facebook, mid),
        Channel = Channels.Facebook,
        ChannelAccount = page,
        ProviderMessageId = mid,
        // The Page-scoped ID: the same person for every message to this Page.
        Sender = new CustomerAddress { Kind = "facebook", Value = sender },
        Text = text,
        Attachments = attachments,
        ProviderTimestamp = at,
        ReceivedAt = receivedAt,
        ReplyToProviderMessageId = replyTo,
        Metadata = metadata,
    };

    private static IEnumerable<DeliveryStatusChanged> Delivery(JsonElement delivery, string path, string sender, string page, DateTimeOffset at)
    {
        var watermark = Time(delivery, "watermark");
        var mids = Optional(delivery, "mids").Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!).ToList();
        if (mids.Count == 0)
        {
            return [Watermark("delivered", watermark ?? throw new MalformedWebhookException($"{path}.delivery.watermark", "is required"), sender, page)];
        }
        return mids.Select(mid => new DeliveryStatusChanged
        {
            Channel = Channels.Facebook,
            ChannelAccount = page,
            ProviderMessageId = mid,
            Recipient = new CustomerAddress { Kind = "facebook", Value = sender },
            Status = "delivered",
            OccurredAt = watermark ?? at,
        });
    }

    private static DeliveryStatusChanged Watermark(string status, DateTimeOffset upTo, string sender, string page) => new()
    {
        Channel = Channels.Facebook,
        ChannelAccount = page,
        Recipient = new CustomerAddress { Kind = "facebook", Value = sender },
        Status = status,
        UpTo = upTo,
        OccurredAt = upTo,
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
