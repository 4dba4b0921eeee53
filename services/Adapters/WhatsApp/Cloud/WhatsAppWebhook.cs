using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Routing.Adapters.Meta;
using Routing.Adapters.Webhooks;
using Routing.Contracts;
using static Routing.Adapters.Webhooks.JsonPayload;

namespace Routing.Adapters.WhatsApp.Cloud;

/// <summary>
/// WhatsApp Cloud API "messages" webhooks: every message and status of every change of every entry
/// (Meta batches). Payloads: https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages.
/// Media arrive as ids (fetching them needs the Graph API and the access token, never inside a webhook):
/// an attachment's URL is "whatsapp-media:{id}".
/// </summary>
internal sealed class WhatsAppWebhook(IOptions<WhatsAppOptions> options) : IChannelWebhook
{
    private static readonly string[] MediaKinds = ["image", "video", "audio", "document", "sticker"];

    public string Channel => Channels.WhatsApp;

    public IReadOnlyCollection<string> MediaTypes { get; } = ["application/json"];

    public (string Body, string ContentType) Acknowledgement => ("", "text/plain");

    public SignatureCheck Verify(WebhookRequest request) =>
        ProviderSecrets.Verify(options.Value.AppSecret, options.Value.PreviousAppSecrets, secret => MetaSignature.Verify(secret, request));

    public WebhookContent Parse(WebhookRequest request, DateTimeOffset receivedAt)
    {
        using (var document = JsonPayload.Parse(request.Body))
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || String(root, "object") != "whatsapp_business_account")
            {
                throw new MalformedWebhookException("object", "must be whatsapp_business_account");
            }
            var messages = new List<InboundMessageReceived>();
            var statuses = new List<DeliveryStatusChanged>();
            var skipped = new List<SkippedItem>();
            foreach (var (entry, e) in Array(root, "entry", "entry").Select((x, i) => (x, i)))
            {
                SkippedItem.Try(skipped, () =>
                {
                    foreach (var (change, c) in Array(entry, "changes", $"entry[{e}].changes").Select((x, i) => (x, i)))
                    {
                        SkippedItem.Try(skipped, () => Change(change, $"entry[{e}].changes[{c}].value", receivedAt, messages, statuses, skipped));
                    }
                });
            }
            return new WebhookContent(messages, statuses) { Skipped = skipped };
        }
    }

    /// <summary>One change of an entry: its messages and statuses, each read on its own.</summary>
    private static void Change(JsonElement change, string path, DateTimeOffset receivedAt, List<InboundMessageReceived> messages,
        List<DeliveryStatusChanged> statuses, List<SkippedItem> skipped)
    {
        if (String(change, "field") != "messages" || !change.TryGetProperty("value", out var value))
        {
            return; // template, quality and account updates are not customer messages
        }
        var metadata = Object(value, "metadata") ?? throw new MalformedWebhookException($"{path}.metadata", "is required");
        var account = "+" + RequiredString(metadata, "display_phone_number", $"{path}.metadata");
        var phoneNumberId = RequiredString(metadata, "phone_number_id", $"{path}.metadata");
        var names = Optional(value, "contacts").Where(x => String(x, "wa_id") is not null)
            .ToDictionary(x => String(x, "wa_id")!, x => x.TryGetProperty("profile", out var p) ? String(p, "name") : null);
        foreach (var (message, m) in Optional(value, "messages").Select((x, i) => (x, i)))
        {
            SkippedItem.Try(skipped, () => messages.Add(Message(message, $"{path}.messages[{m}]", account, phoneNumberId, names, receivedAt)));
        }
        foreach (var (status, s) in Optional(value, "statuses").Select((x, i) => (x, i)))
        {
            SkippedItem.Try(skipped, () =>
            {
                if (Status(status, $"{path}.statuses[{s}]", account) is { } changed)
                {
                    statuses.Add(changed);
                }
            });
        }
    }

    private static InboundMessageReceived Message(JsonElement message, string path, string account, string phoneNumberId,
        Dictionary<string, string?> names, DateTimeOffset receivedAt)
    {
        var from = String(message, "from") ?? throw new MalformedWebhookException($"{path}.from", "is required");
        var id = RequiredString(message, "id", path);
        var type = String(message, "type") ?? throw new MalformedWebhookException($"{path}.type", "is required");
        var metadata = new Dictionary<string, string> { ["phone_number_id"] = phoneNumberId, ["type"] = type };
        string? text = null;
        var attachments = new List<MessageAttachment>();
        switch (type)
        {
            case "text":
                text = message.TryGetProperty("text", out var t) ? String(t, "body") : null;
                break;
            case var media when MediaKinds.Contains(media):
                if (!message.TryGetProperty(media, out var m) || String(m, "id") is not { } mediaId)
                {
                    throw new MalformedWebhookException($"{path}.{media}.id", "is required");
                }
                attachments.Add(new MessageAttachment
                {
                    ContentType = String(m, "mime_type") ?? "application/octet-stream",
                    Url = "whatsapp-media:" + mediaId,
                    FileName = String(m, "filename"),
                });
                text = String(m, "caption");
                break;
            case "location":
                if (message.TryGetProperty("location", out var l))
                {
                    var latitude = Number(l, "latitude");
                    var longitude = Number(l, "longitude");
                    metadata["latitude"] = latitude ?? "";
                    metadata["longitude"] = longitude ?? "";
                    text = string.Join(", ", new[] { String(l, "name"), String(l, "address"), $"{latitude},{longitude}" }.Where(x => !string.IsNullOrEmpty(x)));
                }
                break;
            case "interactive":
                if (message.TryGetProperty("interactive", out var i)
                    && (i.TryGetProperty("button_reply", out var reply) || i.TryGetProperty("list_reply", out reply)))
                {
                    text = String(reply, "title");
                    metadata["reply_id"] = String(reply, "id") ?? "";
                }
                break;
            case "button":
                text = message.TryGetProperty("button", out var b) ? String(b, "text") : null;
                break;
        }
        var timestamp = String(message, "timestamp");
        return new InboundMessageReceived
        {
            MessageId = MessageIds.ForInbound(Channels.WhatsApp, id),
            Channel = Channels.WhatsApp,
            ChannelAccount = account,
            ProviderMessageId = id,
            // wa_id is the sender's number in international form without '+': the same person as their SMS.
            Sender = new CustomerAddress { Kind = "phone", Value = "+" + from, DisplayName = names.GetValueOrDefault(from) },
            Text = text,
            Attachments = attachments,
            ProviderTimestamp = timestamp is not null && long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
                && UnixTime.FromSeconds(seconds) is { } sent ? sent : receivedAt,
            ReceivedAt = receivedAt,
            ReplyToProviderMessageId = message.TryGetProperty("context", out var context) ? String(context, "id") : null,
            Metadata = metadata,
        };
    }

    private static DeliveryStatusChanged? Status(JsonElement status, string path, string account)
    {
        var id = RequiredString(status, "id", path);
        var value = String(status, "status");
        if (value is not ("sent" or "delivered" or "read" or "failed"))
        {
            return null;
        }
        var timestamp = String(status, "timestamp");
        return new DeliveryStatusChanged
        {
            Channel = Channels.WhatsApp,
            ChannelAccount = account,
            ProviderMessageId = id,
            // what the sender put in biz_opaque_callback_data: the reply's command id
            CommandId = Guid.TryParseExact(String(status, "biz_opaque_callback_data") ?? "", "N", out var command) ? command : null,
            Status = value,
            ErrorCode = status.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array && errors.GetArrayLength() > 0
                && errors[0].TryGetProperty("code", out var code) ? code.GetRawText() : null,
            OccurredAt = timestamp is not null && long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
                && UnixTime.FromSeconds(seconds) is { } occurred ? occurred
                : throw new MalformedWebhookException($"{path}.timestamp", "must be Unix seconds"),
        };
    }
}
