using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Routing.Adapters.Webhooks;
using Routing.Contracts;
using static Routing.Adapters.Webhooks.JsonPayload;

namespace Routing.Adapters.Telegram.BotApi;

/// <summary>
/// Bot API webhooks (https://core.telegram.org/bots/api#update): one Update per request, authenticated by the secret token
/// in X-Telegram-Bot-Api-Secret-Token. Messages and edited messages of private chats become messages: text or a caption,
/// photos (the largest size), documents, voice, audio, video, video notes, animations and stickers as attachments the
/// gateway fetches by file id, a location or a venue, a shared contact, and the message replied to; the sender's name,
/// username and language. Group chats, channel posts, bots, button taps and the bot's membership changes are not a
/// customer's messages to route and are acknowledged without publishing.
/// </summary>
internal sealed class TelegramWebhook(IOptions<TelegramOptions> options) : IChannelWebhook
{
    public const string SecretHeader = "X-Telegram-Bot-Api-Secret-Token";

    /// <summary>How an attachment names a file the gateway fetches with the bot's token (getFile), never the token itself.</summary>
    public const string FilePrefix = "telegram-file:";

    public string Channel => Channels.Telegram;

    public IReadOnlyCollection<string> MediaTypes { get; } = ["application/json"];

    public (string Body, string ContentType) Acknowledgement => ("", "text/plain");

    public SignatureCheck Verify(WebhookRequest request)
    {
        var presented = request.Header(SecretHeader);
        if (string.IsNullOrEmpty(presented))
        {
            return SignatureCheck.Missing;
        }
        var bytes = Encoding.UTF8.GetBytes(presented);
        return ProviderSecrets.Verify(options.Value.SecretToken, options.Value.PreviousSecretTokens,
            secret => CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(secret), bytes) ? SignatureCheck.Valid : SignatureCheck.Invalid);
    }

    public WebhookContent Parse(WebhookRequest request, DateTimeOffset receivedAt)
    {
        using var document = JsonPayload.Parse(request.Body);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object || Number(root, "update_id") is null)
        {
            throw new MalformedWebhookException("update_id", "is required");
        }
        var (message, field, edited) = Object(root, "message") is { } m ? (m, "message", false)
            : Object(root, "edited_message") is { } e ? (e, "edited_message", true)
            : default;
        if (field is null)
        {
            return WebhookContent.Empty; // callback queries, membership changes (a customer blocking the bot), channel posts, polls
        }
        var chat = Object(message, "chat") ?? throw new MalformedWebhookException($"{field}.chat", "is required");
        if (String(chat, "type") != "private")
        {
            return WebhookContent.Empty; // a group the bot is in: not one customer's conversation with us
        }
        var from = Object(message, "from") ?? throw new MalformedWebhookException($"{field}.from", "is required");
        if (Bool(from, "is_bot"))
        {
            return WebhookContent.Empty;
        }
        return new WebhookContent([Message(message, field, chat, from, edited, receivedAt)], []);
    }

    private InboundMessageReceived Message(JsonElement message, string field, JsonElement chat, JsonElement from, bool edited, DateTimeOffset receivedAt)
    {
        var chatId = Number(chat, "id") ?? throw new MalformedWebhookException($"{field}.chat.id", "is required");
        var messageId = Number(message, "message_id") ?? throw new MalformedWebhookException($"{field}.message_id", "is required");
        var sender = Number(from, "id") ?? throw new MalformedWebhookException($"{field}.from.id", "is required");
        var sent = Seconds(message, "date") ?? throw new MalformedWebhookException($"{field}.date", "is required");

        // message_id is unique within its chat only
        var id = $"{chatId}:{messageId}";
        var metadata = new Dictionary<string, string>();
        if (String(from, "username") is { Length: > 0 } username)
        {
            metadata["username"] = username;
        }
        if (String(from, "language_code") is { Length: > 0 } language)
        {
            metadata["language"] = language;
        }
        var at = sent;
        var providerId = id;
        if (edited)
        {
            // the same message_id with new content: a message of its own, so routing does not take it for a retry
            at = Seconds(message, "edit_date") ?? receivedAt;
            providerId = $"{id}:edited:{at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)}";
            metadata["edit_of"] = id;
        }
        var text = String(message, "text") ?? String(message, "caption");
        var attachments = new List<MessageAttachment>();
        if (Optional(message, "photo") is { Count: > 0 } sizes && Largest(sizes) is { } photo)
        {
            attachments.Add(File(photo, $"{field}.photo", "image/jpeg", null));
        }
        foreach (var (kind, type) in Files)
        {
            if (Object(message, kind) is { } file)
            {
                attachments.Add(File(file, $"{field}.{kind}", String(file, "mime_type") ?? type, String(file, "file_name")));
            }
        }
        if (Object(message, "sticker") is { } sticker)
        {
            attachments.Add(File(sticker, $"{field}.sticker", Bool(sticker, "is_video") ? "video/webm" : Bool(sticker, "is_animated") ? "application/x-tgsticker" : "image/webp", null));
            text ??= String(sticker, "emoji");
        }
        if (Object(message, "venue") is { } venue)
        {
            text ??= string.Join(", ", new[] { String(venue, "title"), String(venue, "address") }.Where(s => !string.IsNullOrEmpty(s)));
        }
        if (Object(message, "location") is { } location)
        {
            metadata["latitude"] = Number(location, "latitude") ?? "";
            metadata["longitude"] = Number(location, "longitude") ?? "";
            text ??= $"{metadata["latitude"]},{metadata["longitude"]}";
        }
        if (Object(message, "contact") is { } contact)
        {
            var phone = String(contact, "phone_number");
            if (phone is not null)
            {
                metadata["contact_phone_number"] = phone;
            }
            if (Number(contact, "user_id") is { } user)
            {
                // the customer's own number when it is their own account they shared (Telegram's "share my phone number")
                metadata["contact_user_id"] = user;
            }
            text ??= string.Join(" ", new[] { String(contact, "first_name"), String(contact, "last_name"), phone }.Where(s => !string.IsNullOrEmpty(s)));
        }
        return new InboundMessageReceived
        {
            MessageId = MessageIds.ForInbound(Channels.Telegram, providerId),
            Channel = Channels.Telegram,
            ChannelAccount = options.Value.BotId,
            ProviderMessageId = providerId,
            // the user id: stable across name and username changes, and the private chat's id with the bot
            Sender = new CustomerAddress { Kind = "telegram", Value = sender, DisplayName = Name(from) },
            Text = text,
            Attachments = attachments,
            ProviderTimestamp = at,
            ReceivedAt = receivedAt,
            ReplyToProviderMessageId = Object(message, "reply_to_message") is { } reply && Number(reply, "message_id") is { } replied ? $"{chatId}:{replied}" : null,
            Metadata = metadata,
        };
    }

    /// <summary>The message's file fields other than photos and stickers, with the type to assume when Telegram gives none.</summary>
    private static readonly (string Kind, string Type)[] Files =
    [
        ("document", "application/octet-stream"), ("voice", "audio/ogg"), ("audio", "audio/mpeg"), ("video", "video/mp4"),
        ("video_note", "video/mp4"), ("animation", "video/mp4"),
    ];

    private static MessageAttachment File(JsonElement file, string path, string contentType, string? name) => new()
    {
        ContentType = contentType,
        Url = FilePrefix + RequiredString(file, "file_id", path),
        FileName = name,
        SizeBytes = Number(file, "file_size") is { } size && long.TryParse(size, NumberStyles.None, CultureInfo.InvariantCulture, out var bytes) ? bytes : null,
    };

    /// <summary>The largest of a photo's sizes (Telegram lists them smallest first).</summary>
    private static JsonElement? Largest(IReadOnlyList<JsonElement> sizes) =>
        sizes.Where(s => s.ValueKind == JsonValueKind.Object).OrderBy(s => Area(s)).Cast<JsonElement?>().LastOrDefault();

    private static long Area(JsonElement size) =>
        long.TryParse(Number(size, "width"), CultureInfo.InvariantCulture, out var w) && long.TryParse(Number(size, "height"), CultureInfo.InvariantCulture, out var h) ? w * h : 0;

    private static string? Name(JsonElement from)
    {
        var name = string.Join(" ", new[] { String(from, "first_name"), String(from, "last_name") }.Where(s => !string.IsNullOrWhiteSpace(s)));
        return name.Length > 0 ? name : null;
    }

    private static DateTimeOffset? Seconds(JsonElement element, string property) =>
        Number(element, property) is { } raw && long.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? UnixTime.FromSeconds(value) : null;
}
