using Routing.Adapters.Testing;
using Routing.Contracts;

namespace Adapters.Tests.WhatsApp;

/// <summary>
/// WhatsApp Cloud API "messages" webhooks. The text case is Meta's own example from the messages webhook
/// reference (https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages),
/// the others follow the per-type references there (image, location, interactive, document, statuses with
/// error 131047); ids past Meta's example are made up. Bodies are compact JSON, byte-exact; signatures were
/// computed independently of this code (Python hmac, SHA-256) with the dev-only app secret below.
/// </summary>
internal static class WhatsAppCases
{
    public const string AppSecret = "dev-whatsapp-app-secret-not-a-secret";
    public const string PublicUrl = "https://hooks.example.com/webhooks/whatsapp";
    private const string Json = "application/json";
    private const string Source = "https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages";
    private static readonly DateTimeOffset At = Conformance.ReceivedAt;

    public const string Text = """{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"Sheena Nelson"},"wa_id":"16505551234"}],"messages":[{"from":"16505551234","id":"wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=","timestamp":"1749416383","type":"text","text":{"body":"Does it come in another color?"}}]},"field":"messages"}]}]}""";

    private static ConformanceCase TextMessage => new()
    {
        Name = "text message (Meta's example)",
        Source = Source,
        ContentType = Json,
        Body = Text,
        Headers = Signed("sha256=a700c6897eb16d9b98c8f6830dca46bc5af0cce693c519d8a475bbe8d5f794b3"),
        Messages = [Message("wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=", 1749416383, "text", "Does it come in another color?")],
    };

    public static IEnumerable<ConformanceCase> All =>
    [
        TextMessage,
        new()
        {
            Name = "image with a caption, replying to our message",
            Source = Source + "/image/",
            ContentType = Json,
            Body = """{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"Sheena Nelson"},"wa_id":"16505551234"}],"messages":[{"context":{"from":"15550783881","id":"wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI0RUQ1QkU0MDg5NjQ3QjY2MDgA"},"from":"16505551234","id":"wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUIyQkJCQzRFMkRGNEFFQTNGRQA=","timestamp":"1749416500","type":"image","image":{"caption":"This one, but in blue","mime_type":"image/jpeg","sha256":"Ipg5ZX0lA0Az4gq1Yo2xFpmL3BLAvEadlm6jyqXlF4o=","id":"1003383421387256"}}]},"field":"messages"}]}]}""",
            Headers = Signed("sha256=5213d6190cfc1a9de49031261b674e534a6c7d48842e236431cad849c2724ff7"),
            Messages =
            [
                Message("wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUIyQkJCQzRFMkRGNEFFQTNGRQA=", 1749416500, "image", "This one, but in blue") with
                {
                    Attachments = [new MessageAttachment { ContentType = "image/jpeg", Url = "whatsapp-media:1003383421387256" }],
                    ReplyToProviderMessageId = "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI0RUQ1QkU0MDg5NjQ3QjY2MDgA",
                },
            ],
        },
        new()
        {
            Name = "location",
            Source = Source + "/location/",
            ContentType = Json,
            Body = """{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"Sheena Nelson"},"wa_id":"16505551234"}],"messages":[{"from":"16505551234","id":"wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTVBMTgzQ0I1QjRFQjA0OUM3MgA=","timestamp":"1749416600","location":{"address":"1 Hacker Way, Menlo Park, CA 94025","latitude":37.483307,"longitude":-122.148981,"name":"Meta Headquarters"},"type":"location"}]},"field":"messages"}]}]}""",
            Headers = Signed("sha256=51152276b9c75abade7b209b368572ac49c0e52261b6a30d82986b506a83e8e6"),
            Messages =
            [
                Message("wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTVBMTgzQ0I1QjRFQjA0OUM3MgA=", 1749416600, "location",
                    "Meta Headquarters, 1 Hacker Way, Menlo Park, CA 94025, 37.483307,-122.148981",
                    new() { ["latitude"] = "37.483307", ["longitude"] = "-122.148981" }),
            ],
        },
        new()
        {
            Name = "interactive button reply",
            Source = Source + "/interactive/",
            ContentType = Json,
            Body = """{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"Sheena Nelson"},"wa_id":"16505551234"}],"messages":[{"context":{"from":"15550783881","id":"wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJDMzQ2RTI5NjVCNTBFRDY5MkQA"},"from":"16505551234","id":"wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTM4RDg2Q0M4RjFFNTk5Rjc3OAA=","timestamp":"1749416700","type":"interactive","interactive":{"type":"button_reply","button_reply":{"id":"cancel-order","title":"Cancel my order"}}}]},"field":"messages"}]}]}""",
            Headers = Signed("sha256=a6245e6e8abadc76856ff5efdbd5caa2375511c65ac779e953e09cd23ac58dbb"),
            Messages =
            [
                Message("wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTM4RDg2Q0M4RjFFNTk5Rjc3OAA=", 1749416700, "interactive", "Cancel my order",
                    new() { ["reply_id"] = "cancel-order" }) with
                {
                    ReplyToProviderMessageId = "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJDMzQ2RTI5NjVCNTBFRDY5MkQA",
                },
            ],
        },
        new()
        {
            Name = "two entries in one delivery: a text and a document from another customer",
            Source = Source,
            ContentType = Json,
            Body = """{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"Sheena Nelson"},"wa_id":"16505551234"}],"messages":[{"from":"16505551234","id":"wamid.batch.1","timestamp":"1749416800","type":"text","text":{"body":"First"}}]},"field":"messages"}]},{"id":"102290129340398","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"Luca Bianchi"},"wa_id":"393331234567"}],"messages":[{"from":"393331234567","id":"wamid.batch.2","timestamp":"1749416801","type":"document","document":{"filename":"invoice-1042.pdf","mime_type":"application/pdf","sha256":"Ipg5ZX0lA0Az4gq1Yo2xFpmL3BLAvEadlm6jyqXlF4o=","id":"2112335742543322"}}]},"field":"messages"}]}]}""",
            Headers = Signed("sha256=3cf6da3dc3541300ac22c8d521314f5a008b0a533da3ba5f589f96311b74eef7"),
            Messages =
            [
                Message("wamid.batch.1", 1749416800, "text", "First"),
                Message("wamid.batch.2", 1749416801, "document", null) with
                {
                    Sender = new CustomerAddress { Kind = "phone", Value = "+393331234567", DisplayName = "Luca Bianchi" },
                    Attachments = [new MessageAttachment { ContentType = "application/pdf", Url = "whatsapp-media:2112335742543322", FileName = "invoice-1042.pdf" }],
                },
            ],
        },
        new()
        {
            Name = "statuses: delivered, and failed outside the 24-hour window (131047)",
            Source = Source + "/status/",
            ContentType = Json,
            Body = """{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"statuses":[{"id":"wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3MUY5RTdBMjk0MjlCMzIzRgA=","status":"delivered","timestamp":"1749417000","recipient_id":"16505551234"},{"id":"wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJBQjcxOEM2MzRDMkU3QkM0NzIA","status":"failed","timestamp":"1749417001","recipient_id":"16505551234","errors":[{"code":131047,"title":"Re-engagement message","message":"Re-engagement message","error_data":{"details":"Message failed to send because more than 24 hours have passed since the customer last replied to this number."}}]}]},"field":"messages"}]}]}""",
            Headers = Signed("sha256=b155c482fff2248e298f751708fdbc5bc514b2e851a359ffa772005f9b96a8c4"),
            Statuses =
            [
                Status("wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3MUY5RTdBMjk0MjlCMzIzRgA=", "delivered", null, 1749417000),
                Status("wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJBQjcxOEM2MzRDMkU3QkM0NzIA", "failed", "131047", 1749417001),
            ],
        },
        new()
        {
            Name = "status of a message we sent with biz_opaque_callback_data: it carries the reply's command id",
            Source = Source + "/status/",
            ContentType = Json,
            Body = """{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"statuses":[{"id":"wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJDQUxMQkFDSzEyMzQ1NgA=","status":"delivered","timestamp":"1749417002","recipient_id":"16505551234","biz_opaque_callback_data":"5f0c1e2a9b7d4c3e8a6f1b2d3c4e5f60"}]},"field":"messages"}]}]}""",
            Headers = Signed("sha256=0eb694ec4c993d6d94d11f784714da87d7fcaa1d26243da5ec1ac424435ab9b4"),
            Statuses =
            [
                Status("wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJDQUxMQkFDSzEyMzQ1NgA=", "delivered", null, 1749417002) with
                {
                    CommandId = Guid.Parse("5f0c1e2a9b7d4c3e8a6f1b2d3c4e5f60"),
                },
            ],
        },
        new()
        {
            Name = "a batch with malformed items beside good ones: the good ones count",
            Source = Source,
            ContentType = Json,
            Body = """{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"messaging_product":"whatsapp","messages":[{"from":"16505550000","id":"wamid.lost","timestamp":"1749416380","type":"text","text":{"body":"no metadata"}}]},"field":"messages"},{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"Sheena Nelson"},"wa_id":"16505551234"}],"messages":[{"id":"wamid.nofrom","timestamp":"1749416381","type":"text","text":{"body":"who am I"}},{"from":"16505551234","id":"wamid.good","timestamp":"1749416383","type":"text","text":{"body":"Does it come in another color?"}}],"statuses":[{"id":"wamid.notime","status":"delivered","recipient_id":"16505551234"},{"id":"wamid.sent1","status":"delivered","timestamp":"1749417000","recipient_id":"16505551234"}]},"field":"messages"}]}]}""",
            Headers = Signed("sha256=72de04db0e0b19d001bb07d181976d0ec1c90c2725ca356a1e44152ce2086900"),
            SkippedFields = ["entry[0].changes[0].value.metadata", "entry[0].changes[1].value.messages[0].from", "entry[0].changes[1].value.statuses[0].timestamp"],
            Messages = [Message("wamid.good", 1749416383, "text", "Does it come in another color?")],
            Statuses = [Status("wamid.sent1", "delivered", null, 1749417000)],
        },
        TextMessage.Tampered("tampered body", "another color", "another colour"),
        TextMessage.Unsigned("no signature"),
        new()
        {
            Name = "signed but not JSON",
            Source = Source,
            ContentType = Json,
            Body = """{"object":"whatsapp_business_account","entry":[""",
            Headers = Signed("sha256=9b85452265355064d503d3ef4643ad48537029ffa5660e77defa694397dda8d0"),
            MalformedField = "body",
        },
        new()
        {
            Name = "signed but not a WhatsApp Business Account object",
            Source = Source,
            ContentType = Json,
            Body = """{"object":"page","entry":[]}""",
            Headers = Signed("sha256=6480ac46e99817f05b665dac695c9e9cbadac033c89136ebebdc50e8340a3035"),
            MalformedField = "object",
        },
    ];

    public static ConformanceCase Named(string name) => All.Single(c => c.Name == name);

    private static Dictionary<string, string> Signed(string signature) => new() { ["X-Hub-Signature-256"] = signature };

    private static InboundMessageReceived Message(string id, long timestamp, string type, string? text, Dictionary<string, string>? extra = null)
    {
        var metadata = new Dictionary<string, string> { ["phone_number_id"] = "106540352242922", ["type"] = type };
        foreach (var (key, value) in extra ?? [])
        {
            metadata[key] = value;
        }
        return new()
        {
            MessageId = MessageIds.ForInbound("whatsapp", id),
            Channel = "whatsapp",
            ChannelAccount = "+15550783881",
            ProviderMessageId = id,
            Sender = new CustomerAddress { Kind = "phone", Value = "+16505551234", DisplayName = "Sheena Nelson" },
            Text = text,
            ProviderTimestamp = DateTimeOffset.FromUnixTimeSeconds(timestamp),
            ReceivedAt = At,
            Metadata = metadata,
        };
    }

    private static DeliveryStatusChanged Status(string id, string status, string? errorCode, long timestamp) => new()
    {
        Channel = "whatsapp",
        ChannelAccount = "+15550783881",
        ProviderMessageId = id,
        Status = status,
        ErrorCode = errorCode,
        OccurredAt = DateTimeOffset.FromUnixTimeSeconds(timestamp),
    };
}
