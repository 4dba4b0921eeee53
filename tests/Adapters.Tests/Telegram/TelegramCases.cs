using Routing.Adapters.Testing;
using Routing.Contracts;

namespace Adapters.Tests.Telegram;

/// <summary>
/// Bot API updates as Telegram posts them to a webhook: one Update per request, its fields as the Bot API reference
/// gives them (https://core.telegram.org/bots/api#update, #message, #photosize, #document, #voice, #location, #contact,
/// #chatmemberupdated, #callbackquery), with made-up ids. Telegram signs nothing: the webhook's secret_token comes back
/// in X-Telegram-Bot-Api-Secret-Token (https://core.telegram.org/bots/api#setwebhook), so a changed body with the right
/// token is Telegram's, and the cases for refusal are a wrong and a missing token.
/// </summary>
internal static class TelegramCases
{
    public const string SecretToken = "dev-telegram-secret-token";
    public const string BotToken = "7264815330:AAdev-telegram-bot-token-not-a-secret";
    public const string Bot = "7264815330";
    public const string PublicUrl = "https://hooks.example.com/webhooks/telegram";
    public const string User = "5093718244";
    private const string Json = "application/json";
    private const string Source = "https://core.telegram.org/bots/api#update";
    private const long Date = 1764580212;


    private static ConformanceCase TextMessage => new()
    {
        Name = "text in the customer's private chat with the bot",
        Source = Source + ", #message",
        ContentType = Json,
        Body = """{"update_id":842170331,"message":{"message_id":1204,"from":{"id":5093718244,"is_bot":false,"first_name":"Lena","last_name":"Vogel","username":"lenavogel","language_code":"de"},"chat":{"id":5093718244,"first_name":"Lena","last_name":"Vogel","username":"lenavogel","type":"private"},"date":1764580212,"text":"Hallo, meine Bestellung 1042 ist nicht angekommen"}}""",
        Headers = Secret(SecretToken),
        Messages = [Message("1204", "Hallo, meine Bestellung 1042 ist nicht angekommen")],
    };

    public static IEnumerable<ConformanceCase> All =>
    [
        TextMessage,
        new()
        {
            Name = "photo with a caption: the largest size",
            Source = Source + ", #photosize",
            ContentType = Json,
            Body = """{"update_id":842170332,"message":{"message_id":1205,"from":{"id":5093718244,"is_bot":false,"first_name":"Lena","last_name":"Vogel","username":"lenavogel","language_code":"de"},"chat":{"id":5093718244,"first_name":"Lena","last_name":"Vogel","username":"lenavogel","type":"private"},"date":1764580212,"photo":[{"file_id":"AgACAgIAAxkBAAIBs_small","file_unique_id":"AQADs1","file_size":1460,"width":90,"height":67},{"file_id":"AgACAgIAAxkBAAIBs_medium","file_unique_id":"AQADs2","file_size":21870,"width":320,"height":240},{"file_id":"AgACAgIAAxkBAAIBs_large","file_unique_id":"AQADs3","file_size":98112,"width":1280,"height":960}],"caption":"So sieht das Paket aus"}}""",
            Headers = Secret(SecretToken),
            Messages = [Message("1205", "So sieht das Paket aus") with
            {
                Attachments = [new MessageAttachment { ContentType = "image/jpeg", Url = "telegram-file:AgACAgIAAxkBAAIBs_large", SizeBytes = 98112 }],
            }],
        },
        new()
        {
            Name = "document with its name and type",
            Source = Source + ", #document",
            ContentType = Json,
            Body = """{"update_id":842170333,"message":{"message_id":1206,"from":{"id":5093718244,"is_bot":false,"first_name":"Lena","last_name":"Vogel","username":"lenavogel","language_code":"de"},"chat":{"id":5093718244,"first_name":"Lena","last_name":"Vogel","username":"lenavogel","type":"private"},"date":1764580212,"document":{"file_name":"Rechnung-1042.pdf","mime_type":"application/pdf","file_id":"BQACAgIAAxkBAAIBt_doc","file_unique_id":"AgADt1","file_size":48213}}}""",
            Headers = Secret(SecretToken),
            Messages = [Message("1206", null) with
            {
                Attachments = [new MessageAttachment { ContentType = "application/pdf", Url = "telegram-file:BQACAgIAAxkBAAIBt_doc", FileName = "Rechnung-1042.pdf", SizeBytes = 48213 }],
            }],
        },
        new()
        {
            Name = "voice message",
            Source = Source + ", #voice",
            ContentType = Json,
            Body = """{"update_id":842170334,"message":{"message_id":1207,"from":{"id":5093718244,"is_bot":false,"first_name":"Lena","last_name":"Vogel","username":"lenavogel","language_code":"de"},"chat":{"id":5093718244,"first_name":"Lena","last_name":"Vogel","username":"lenavogel","type":"private"},"date":1764580212,"voice":{"duration":4,"mime_type":"audio/ogg","file_id":"AwACAgIAAxkBAAIBu_voice","file_unique_id":"AgADu1","file_size":10240}}}""",
            Headers = Secret(SecretToken),
            Messages = [Message("1207", null) with
            {
                Attachments = [new MessageAttachment { ContentType = "audio/ogg", Url = "telegram-file:AwACAgIAAxkBAAIBu_voice", SizeBytes = 10240 }],
            }],
        },
        new()
        {
            Name = "location",
            Source = Source + ", #location",
            ContentType = Json,
            Body = """{"update_id":842170335,"message":{"message_id":1208,"from":{"id":5093718244,"is_bot":false,"first_name":"Lena","last_name":"Vogel","username":"lenavogel","language_code":"de"},"chat":{"id":5093718244,"first_name":"Lena","last_name":"Vogel","username":"lenavogel","type":"private"},"date":1764580212,"location":{"latitude":52.520008,"longitude":13.404954}}}""",
            Headers = Secret(SecretToken),
            Messages = [Message("1208", "52.520008,13.404954") with
            {
                Metadata = Named(("latitude", "52.520008"), ("longitude", "13.404954")),
            }],
        },
        new()
        {
            Name = "the customer shares their own phone number",
            Source = Source + ", #contact",
            ContentType = Json,
            Body = """{"update_id":842170336,"message":{"message_id":1209,"from":{"id":5093718244,"is_bot":false,"first_name":"Lena","last_name":"Vogel","username":"lenavogel","language_code":"de"},"chat":{"id":5093718244,"first_name":"Lena","last_name":"Vogel","username":"lenavogel","type":"private"},"date":1764580212,"contact":{"phone_number":"+4915112345678","first_name":"Lena","last_name":"Vogel","user_id":5093718244}}}""",
            Headers = Secret(SecretToken),
            Messages = [Message("1209", "Lena Vogel +4915112345678") with
            {
                Metadata = Named(("contact_phone_number", "+4915112345678"), ("contact_user_id", "5093718244")),
            }],
        },
        new()
        {
            Name = "a reply to our message",
            Source = Source + ", #message",
            ContentType = Json,
            Body = """{"update_id":842170337,"message":{"message_id":1210,"from":{"id":5093718244,"is_bot":false,"first_name":"Lena","last_name":"Vogel","username":"lenavogel","language_code":"de"},"chat":{"id":5093718244,"first_name":"Lena","last_name":"Vogel","username":"lenavogel","type":"private"},"date":1764580212,"reply_to_message":{"message_id":1199,"from":{"id":7264815330,"is_bot":true,"first_name":"Example Support","username":"example_support_bot"},"chat":{"id":5093718244,"first_name":"Lena","last_name":"Vogel","username":"lenavogel","type":"private"},"date":1764580100,"text":"Ihre Bestellung ist unterwegs."},"text":"Wann kommt sie an?"}}""",
            Headers = Secret(SecretToken),
            Messages = [Message("1210", "Wann kommt sie an?") with { ReplyToProviderMessageId = "5093718244:1199" }],
        },
        new()
        {
            Name = "an edited message: a message of its own, naming the one it edits",
            Source = Source + ", edited_message",
            ContentType = Json,
            Body = """{"update_id":842170338,"edited_message":{"message_id":1204,"from":{"id":5093718244,"is_bot":false,"first_name":"Lena","last_name":"Vogel","username":"lenavogel","language_code":"de"},"chat":{"id":5093718244,"first_name":"Lena","last_name":"Vogel","username":"lenavogel","type":"private"},"date":1764580212,"edit_date":1764580290,"text":"Hallo, meine Bestellung 1043 ist nicht angekommen"}}""",
            Headers = Secret(SecretToken),
            Messages = [Message("1204:edited:1764580290", "Hallo, meine Bestellung 1043 ist nicht angekommen") with
            {
                ProviderTimestamp = DateTimeOffset.FromUnixTimeSeconds(1764580290),
                Metadata = Named(("username", "lenavogel"), ("language", "de"), ("edit_of", "5093718244:1204")),
            }],
        },
        new()
        {
            Name = "a group the bot is in: not routed",
            Source = Source + ", #chat",
            ContentType = Json,
            Body = """{"update_id":842170339,"message":{"message_id":77,"from":{"id":5093718244,"is_bot":false,"first_name":"Lena","last_name":"Vogel","username":"lenavogel","language_code":"de"},"chat":{"id":-1001234567890,"title":"Example fans","type":"supergroup"},"date":1764580212,"text":"@example_support_bot hi"}}""",
            Headers = Secret(SecretToken),
        },
        new()
        {
            Name = "the customer blocks the bot: not a message",
            Source = "https://core.telegram.org/bots/api#chatmemberupdated",
            ContentType = Json,
            Body = """{"update_id":842170340,"my_chat_member":{"chat":{"id":5093718244,"first_name":"Lena","last_name":"Vogel","username":"lenavogel","type":"private"},"from":{"id":5093718244,"is_bot":false,"first_name":"Lena","last_name":"Vogel","username":"lenavogel","language_code":"de"},"date":1764580212,"old_chat_member":{"user":{"id":7264815330,"is_bot":true,"first_name":"Example Support","username":"example_support_bot"},"status":"member"},"new_chat_member":{"user":{"id":7264815330,"is_bot":true,"first_name":"Example Support","username":"example_support_bot"},"status":"kicked","until_date":0}}}""",
            Headers = Secret(SecretToken),
        },
        new()
        {
            Name = "a wrong secret token",
            Source = "https://core.telegram.org/bots/api#setwebhook",
            ContentType = Json,
            Body = TextMessage.Body,
            Headers = Secret("guessed-secret-token"),
            Signature = Routing.Adapters.Webhooks.SignatureCheck.Invalid,
        },
        TextMessage.Unsigned("no secret token"),
        new()
        {
            Name = "not JSON",
            Source = Source,
            ContentType = Json,
            Body = """{"update_id":842170341,"message":""",
            Headers = Secret(SecretToken),
            MalformedField = "body",
        },
        new()
        {
            Name = "no update_id",
            Source = Source,
            ContentType = Json,
            Body = """{"message":{"message_id":1211,"from":{"id":5093718244,"is_bot":false,"first_name":"Lena","last_name":"Vogel","username":"lenavogel","language_code":"de"},"chat":{"id":5093718244,"first_name":"Lena","last_name":"Vogel","username":"lenavogel","type":"private"},"date":1764580212,"text":"hi"}}""",
            Headers = Secret(SecretToken),
            MalformedField = "update_id",
        },
        new()
        {
            Name = "a private message without its sender",
            Source = Source,
            ContentType = Json,
            Body = """{"update_id":842170342,"message":{"message_id":1212,"chat":{"id":5093718244,"first_name":"Lena","last_name":"Vogel","username":"lenavogel","type":"private"},"date":1764580212,"text":"hi"}}""",
            Headers = Secret(SecretToken),
            MalformedField = "message.from",
        },
    ];

    public static ConformanceCase Named(string name) => All.Single(c => c.Name == name);

    private static Dictionary<string, string> Secret(string token) => new() { ["X-Telegram-Bot-Api-Secret-Token"] = token };

    private static Dictionary<string, string> Named(params (string Key, string Value)[] extra)
    {
        var metadata = new Dictionary<string, string> { ["username"] = "lenavogel", ["language"] = "de" };
        foreach (var (key, value) in extra)
        {
            metadata[key] = value;
        }
        return metadata;
    }

    private static InboundMessageReceived Message(string messageId, string? text) => new()
    {
        MessageId = MessageIds.ForInbound("telegram", $"{User}:{messageId}"),
        Channel = "telegram",
        ChannelAccount = Bot,
        ProviderMessageId = $"{User}:{messageId}",
        Sender = new CustomerAddress { Kind = "telegram", Value = User, DisplayName = "Lena Vogel" },
        Text = text,
        ProviderTimestamp = DateTimeOffset.FromUnixTimeSeconds(Date),
        ReceivedAt = Conformance.ReceivedAt,
        Metadata = new Dictionary<string, string> { ["username"] = "lenavogel", ["language"] = "de" },
    };
}
