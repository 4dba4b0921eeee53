using Routing.Adapters.Testing;
using Routing.Adapters.Webhooks;
using Routing.Contracts;

namespace Adapters.Tests.Sms;

/// <summary>
/// Twilio Programmable Messaging deliveries. Parameter names, order and encoding follow Twilio's
/// "Twilio's request to your incoming message Webhook URL" (https://www.twilio.com/docs/messaging/guides/webhook-request)
/// and "Track the message status of outbound messages" (https://www.twilio.com/docs/messaging/guides/track-outbound-message-status);
/// SIDs and numbers are made up. Signatures were computed independently of this code (Python hmac over
/// the URL and the sorted parameters) with the dev-only token below.
/// </summary>
internal static class TwilioCases
{
    public const string AuthToken = "dev-twilio-auth-token-not-a-secret";
    public const string PublicUrl = "https://hooks.example.com/webhooks/sms/twilio";
    private const string Form = "application/x-www-form-urlencoded";
    private const string IncomingSource = "https://www.twilio.com/docs/messaging/guides/webhook-request";
    private const string StatusSource = "https://www.twilio.com/docs/messaging/guides/track-outbound-message-status";
    private static readonly DateTimeOffset At = Conformance.ReceivedAt;

    private const string Sms = "ToCountry=US&ToState=CA&SmsMessageSid=SM5e3b1a7c9d2f4e6a8b0c1d2e3f4a5b6c&NumMedia=0&ToCity=SAN+FRANCISCO&FromZip=10001&SmsSid=SM5e3b1a7c9d2f4e6a8b0c1d2e3f4a5b6c&FromState=NY&SmsStatus=received&FromCity=NEW+YORK&Body=Hi%21+My+order+%2312+hasn%27t+arrived+%E2%80%94+can+you+help%3F&FromCountry=US&To=%2B15557654321&ToZip=94105&NumSegments=1&MessageSid=SM5e3b1a7c9d2f4e6a8b0c1d2e3f4a5b6c&AccountSid=AC0123456789abcdef0123456789abcdef&From=%2B12125550123&ApiVersion=2010-04-01";

    private static ConformanceCase IncomingSms => new()
    {
        Name = "incoming SMS",
        Source = IncomingSource,
        ContentType = Form,
        Body = Sms,
        Headers = Signed("glIaMhBhrQuE1MzN/vJgfwB0UTQ="),
        Messages = [Inbound("SM5e3b1a7c9d2f4e6a8b0c1d2e3f4a5b6c", "Hi! My order #12 hasn't arrived — can you help?", [], "NY", "NEW YORK")],
    };

    public static IEnumerable<ConformanceCase> All =>
    [
        IncomingSms,
        new()
        {
            Name = "incoming MMS with two media",
            Source = IncomingSource,
            ContentType = Form,
            Body = "ToCountry=US&MediaContentType0=image%2Fjpeg&ToState=CA&SmsMessageSid=MM7f6e5d4c3b2a19080706050403020100&NumMedia=2&ToCity=SAN+FRANCISCO&FromZip=10001&SmsSid=MM7f6e5d4c3b2a19080706050403020100&FromState=NY&SmsStatus=received&FromCity=NEW+YORK&Body=Here+is+the+damaged+box&FromCountry=US&To=%2B15557654321&MediaUrl1=https%3A%2F%2Fapi.twilio.com%2F2010-04-01%2FAccounts%2FAC0123456789abcdef0123456789abcdef%2FMessages%2FMM7f6e5d4c3b2a19080706050403020100%2FMedia%2FME22222222222222222222222222222222&ToZip=94105&NumSegments=1&MessageSid=MM7f6e5d4c3b2a19080706050403020100&AccountSid=AC0123456789abcdef0123456789abcdef&From=%2B12125550123&MediaUrl0=https%3A%2F%2Fapi.twilio.com%2F2010-04-01%2FAccounts%2FAC0123456789abcdef0123456789abcdef%2FMessages%2FMM7f6e5d4c3b2a19080706050403020100%2FMedia%2FME11111111111111111111111111111111&MediaContentType1=application%2Fpdf&ApiVersion=2010-04-01",
            Headers = Signed("DCByWa4NkkDJlGQbX+oN07H4Hjc="),
            Messages =
            [
                Inbound("MM7f6e5d4c3b2a19080706050403020100", "Here is the damaged box",
                [
                    new MessageAttachment { ContentType = "image/jpeg", Url = "https://api.twilio.com/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Messages/MM7f6e5d4c3b2a19080706050403020100/Media/ME11111111111111111111111111111111" },
                    new MessageAttachment { ContentType = "application/pdf", Url = "https://api.twilio.com/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Messages/MM7f6e5d4c3b2a19080706050403020100/Media/ME22222222222222222222222222222222" },
                ], "NY", "NEW YORK"),
            ],
        },
        new()
        {
            Name = "status callback: delivered",
            Source = StatusSource,
            ContentType = Form,
            Body = "SmsSid=SM9a8b7c6d5e4f30211203040506070809&SmsStatus=delivered&MessageStatus=delivered&To=%2B12125550123&MessagingServiceSid=MG0123456789abcdef0123456789abcdef&MessageSid=SM9a8b7c6d5e4f30211203040506070809&AccountSid=AC0123456789abcdef0123456789abcdef&From=%2B15557654321&ApiVersion=2010-04-01",
            Headers = Signed("t84RfgY1r4DVVMjYmTBSc0PdZyE="),
            Statuses = [Status("SM9a8b7c6d5e4f30211203040506070809", "delivered", null)],
        },
        new()
        {
            Name = "status callback: undelivered with Twilio error 30003",
            Source = StatusSource,
            ContentType = Form,
            Body = "ErrorCode=30003&SmsSid=SM0f1e2d3c4b5a69788796a5b4c3d2e1f0&SmsStatus=undelivered&MessageStatus=undelivered&To=%2B12125550123&MessagingServiceSid=MG0123456789abcdef0123456789abcdef&MessageSid=SM0f1e2d3c4b5a69788796a5b4c3d2e1f0&AccountSid=AC0123456789abcdef0123456789abcdef&From=%2B15557654321&ApiVersion=2010-04-01",
            Headers = Signed("7D96Cdl0OnmKn/4k9/bJgj0p6DI="),
            Statuses = [Status("SM0f1e2d3c4b5a69788796a5b4c3d2e1f0", "failed", "30003")],
        },
        new()
        {
            Name = "status callback: queued is not a delivery outcome",
            Source = StatusSource,
            ContentType = Form,
            Body = "SmsSid=SM9a8b7c6d5e4f30211203040506070809&SmsStatus=queued&MessageStatus=queued&To=%2B12125550123&MessageSid=SM9a8b7c6d5e4f30211203040506070809&AccountSid=AC0123456789abcdef0123456789abcdef&From=%2B15557654321&ApiVersion=2010-04-01",
            Headers = Signed("b6iZYkXEBBGYgN97XclcZTuM2yM="),
        },
        IncomingSms.Tampered("tampered body (one character of the text changed)", "order+%2312", "order+%2313"),
        new()
        {
            Name = "signature of another URL",
            Source = IncomingSource,
            ContentType = Form,
            Body = Sms,
            Headers = Signed("DCByWa4NkkDJlGQbX+oN07H4Hjc="),
            Signature = SignatureCheck.Invalid,
        },
        IncomingSms.Unsigned("no signature"),
        new()
        {
            Name = "JSON instead of a form cannot carry a valid signature",
            Source = IncomingSource,
            ContentType = "application/json",
            Body = """{"MessageSid":"SM5e3b1a7c9d2f4e6a8b0c1d2e3f4a5b6c","From":"+12125550123"}""",
            Headers = Signed("glIaMhBhrQuE1MzN/vJgfwB0UTQ="),
            Signature = SignatureCheck.Invalid,
        },
        new()
        {
            Name = "signed but without MessageSid",
            Source = IncomingSource,
            ContentType = Form,
            Body = "ToCountry=US&NumMedia=0&SmsStatus=received&Body=Hello&To=%2B15557654321&AccountSid=AC0123456789abcdef0123456789abcdef&From=%2B12125550123&ApiVersion=2010-04-01",
            Headers = Signed("oeafgmRjgjpRHADZrp04+m+zowY="),
            MalformedField = "MessageSid",
        },
        new()
        {
            Name = "signed but NumMedia is not a count",
            Source = IncomingSource,
            ContentType = Form,
            Body = "NumMedia=two&SmsStatus=received&Body=Hello&To=%2B15557654321&MessageSid=SMbadmedia000000000000000000000000&AccountSid=AC0123456789abcdef0123456789abcdef&From=%2B12125550123&ApiVersion=2010-04-01",
            Headers = Signed("ZjlIrs8KSyyoEbDXJDr+0IatW7I="),
            MalformedField = "NumMedia",
        },
    ];

    public static ConformanceCase Named(string name) => All.Single(c => c.Name == name);

    private static Dictionary<string, string> Signed(string signature) => new() { ["X-Twilio-Signature"] = signature };

    private static InboundMessageReceived Inbound(string sid, string text, IReadOnlyList<MessageAttachment> media, string state, string city) => new()
    {
        MessageId = MessageIds.ForInbound("sms", sid),
        Channel = "sms",
        ChannelAccount = "+15557654321",
        ProviderMessageId = sid,
        Sender = new CustomerAddress { Kind = "phone", Value = "+12125550123" },
        Text = text,
        Attachments = media,
        ProviderTimestamp = At,
        ReceivedAt = At,
        Metadata = new Dictionary<string, string>
        {
            ["AccountSid"] = "AC0123456789abcdef0123456789abcdef",
            ["NumSegments"] = "1",
            ["FromCountry"] = "US",
            ["FromState"] = state,
            ["FromCity"] = city,
        },
    };

    private static DeliveryStatusChanged Status(string sid, string status, string? errorCode) => new()
    {
        Channel = "sms",
        ChannelAccount = "+15557654321",
        ProviderMessageId = sid,
        Status = status,
        ErrorCode = errorCode,
        OccurredAt = At,
    };
}
