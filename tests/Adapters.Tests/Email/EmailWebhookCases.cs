using System.Text;
using Routing.Adapters.Email.Mime;
using Routing.Adapters.Testing;
using Routing.Adapters.Webhooks;
using Routing.Contracts;

namespace Adapters.Tests.Email;

/// <summary>
/// Inbound-mail webhooks of Mailgun, Postmark and SendGrid. Field names and shapes follow each provider's
/// documentation: Mailgun's parsed and MIME forward() posts
/// (https://documentation.mailgun.com/docs/mailgun/user-manual/receive-forward-store/, message-headers as
/// [name, value] pairs); Postmark's inbound webhook example (https://postmarkapp.com/developer/webhooks/inbound-webhook);
/// SendGrid's Inbound Parse fields (https://www.twilio.com/docs/sendgrid/for-developers/parsing-email/setting-up-the-inbound-parse-webhook).
/// Mailgun's signature (hex HMAC-SHA256 of timestamp + token) and the basic-auth headers were computed with
/// Python's hmac and base64 from the dev-only secrets below; the mails are the samples of <see cref="EmailSamples"/>.
/// </summary>
internal static class EmailWebhookCases
{
    public const string MailgunKey = "dev-mailgun-signing-key-not-a-secret";
    public const string PublicUrl = "https://hooks.example.com/webhooks/email";
    public static readonly DateTimeOffset MailgunNow = new(2026, 11, 23, 9, 30, 0, TimeSpan.Zero);
    private const string Timestamp = "1795425900"; // 2026-11-23T09:25:00Z
    private const string Token = "a8ce0edb2dd8301dce2f2d0f7c5fbb9b5c1c3a8e6c6d4e0f1b";
    private const string Signature = "7ac897889511172125bfed69a1e9fd4edf53d19a783b73b437bc7b810e02f413";
    private const string PostmarkAuth = "Basic cG9zdG1hcms6ZGV2LXBvc3RtYXJrLXBhc3N3b3Jk"; // postmark:dev-postmark-password
    private const string SendGridAuth = "Basic c2VuZGdyaWQ6ZGV2LXNlbmRncmlkLXBhc3N3b3Jk"; // sendgrid:dev-sendgrid-password
    private const string Form = "application/x-www-form-urlencoded";
    private const string Boundary = "xYzZY";

    // --- Mailgun ---

    private static ConformanceCase MailgunParsed => new()
    {
        Name = "mailgun: parsed reply with message-headers",
        Source = "https://documentation.mailgun.com/docs/mailgun/user-manual/receive-forward-store/",
        ContentType = Form,
        Body = UrlEncoded(
            ("recipient", "support@example.com"), ("sender", "maria.rossi@example.net"), ("from", "Maria Rossi <maria.rossi@example.net>"),
            ("subject", "Re: Invoice 1042"),
            ("body-plain", "Thanks, that works. Could you also send the receipt?\r\n\r\nOn Sun, 22 Nov 2026 at 18:40, Example Support <support@example.com> wrote:\r\n> Hi Maria, the invoice is attached.\r\n"),
            ("stripped-text", "Thanks, that works. Could you also send the receipt?"),
            ("message-headers", """[["Mime-Version","1.0"],["Date","Mon, 23 Nov 2026 09:12:03 +0100"],["References","<CAF=root1042@mail.gmail.com> <reply-1042@example.com>"],["In-Reply-To","<reply-1042@example.com>"],["Message-Id","<CAF=reply1042@mail.gmail.com>"],["Subject","Re: Invoice 1042"],["DKIM-Signature","v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.net; s=20230601; h=to:subject:message-id:date:from:mime-version; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=dGVzdA=="],["From","Maria Rossi <maria.rossi@example.net>"],["To","Example Support <support@example.com>"],["Content-Type","multipart/alternative; boundary=\"000000000000a1b2c3\""]]"""),
            ("X-Mailgun-Spf", "Pass"), ("X-Mailgun-Dkim-Check-Result", "Pass"),
            ("timestamp", Timestamp), ("token", Token), ("signature", Signature)),
        // the signature covers the token, not the mail: the token goes along for routing to refuse a replay
        Messages = [GmailReply() with { DeliveryNonce = "mailgun:" + Token }],
    };

    // --- Postmark ---

    private static ConformanceCase PostmarkParsed => new()
    {
        Name = "postmark: parsed mail with headers and an attachment",
        Source = "https://postmarkapp.com/developer/webhooks/inbound-webhook",
        ContentType = "application/json",
        Body = """{"FromName":"Paolo Neri","MessageStream":"inbound","From":"paolo@example.org","FromFull":{"Email":"paolo@example.org","Name":"Paolo Neri","MailboxHash":""},"To":"support@example.com","ToFull":[{"Email":"support@example.com","Name":"","MailboxHash":""}],"Cc":"","CcFull":[],"Bcc":"","BccFull":[],"OriginalRecipient":"support@example.com","Subject":"Damaged parcel","MessageID":"73e6d360-66eb-11e1-8e72-a8904824019b","ReplyTo":"","MailboxHash":"","Date":"Mon, 23 Nov 2026 11:00:00 +0100","TextBody":"The parcel arrived broken, photo attached.\n--\nPaolo Neri","HtmlBody":"","StrippedTextReply":"","Tag":"","Headers":[{"Name":"Received-SPF","Value":"Pass (sender SPF authorized) identity=mailfrom; client-ip=209.85.160.180; helo=mail-yw0-f180.google.com; envelope-from=paolo@example.org; receiver=451d9b70cf9364d23ff6f9d51d870251569e@inbound.postmarkapp.com"},{"Name":"X-Spam-Status","Value":"No"},{"Name":"Message-ID","Value":"<parcel-photo-1@example.org>"},{"Name":"MIME-Version","Value":"1.0"}],"Attachments":[{"Name":"parcel.jpg","Content":"/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////","ContentType":"image/jpeg","ContentLength":57}]}""",
        Headers = new Dictionary<string, string> { ["Authorization"] = PostmarkAuth },
        Messages = [Parcel()],
    };

    // --- SendGrid ---

    private static ConformanceCase SendGridParsed => new()
    {
        Name = "sendgrid: parsed fields with the envelope",
        Source = "https://www.twilio.com/docs/sendgrid/for-developers/parsing-email/setting-up-the-inbound-parse-webhook",
        ContentType = $"multipart/form-data; boundary={Boundary}",
        Body = Multipart(
            ("headers", "Date: Mon, 23 Nov 2026 10:05:12 +0100\r\nSubject: Re: Your appointment\r\nMessage-Id: <8E3A1F2B-1C2D-4E5F-9A8B-7C6D5E4F3A2B@example.net>\r\nReferences: <appt-7@example.com>\r\nIn-Reply-To: <appt-7@example.com>\r\nFrom: Giulia Bianchi <giulia@example.net>\r\nTo: support@example.com\r\nMime-Version: 1.0 (1.0)\r\nContent-Type: text/plain; charset=utf-8\r\n"),
            ("dkim", "none"), ("to", "support@example.com"), ("from", "Giulia Bianchi <giulia@example.net>"), ("subject", "Re: Your appointment"),
            ("text", "Can we move it to Thursday? — Giulia\r\n\r\nSent from my iPhone\r\n\r\n> On 22 Nov 2026, at 17:00, Example Support <support@example.com> wrote:\r\n> \r\n> Your appointment is on Wednesday at 10:00.\r\n"),
            ("envelope", """{"to":["support@example.com"],"from":"giulia@example.net"}"""), ("charsets", """{"to":"UTF-8","subject":"UTF-8","from":"UTF-8","text":"utf-8"}"""),
            ("SPF", "pass"), ("spam_score", "0.1"), ("attachments", "0")),
        Headers = new Dictionary<string, string> { ["Authorization"] = SendGridAuth },
        Messages = [IPhone()],
    };

    public static IEnumerable<(string Provider, ConformanceCase Case)> All =>
    [
        ("mailgun", MailgunParsed),
        ("mailgun", new ConformanceCase
        {
            Name = "mailgun: raw MIME (body-mime) of an automatic reply",
            Source = "https://documentation.mailgun.com/docs/mailgun/user-manual/receive-forward-store/",
            ContentType = $"multipart/form-data; boundary={Boundary}",
            Body = Multipart(("recipient", "support@example.com"), ("body-mime", EmailSamples.GmailVacation.ReplaceLineEndings("\r\n")),
                ("timestamp", Timestamp), ("token", Token), ("signature", Signature)),
        }),
        ("mailgun", MailgunParsed.Tampered("mailgun: tampered signature", Signature, "0" + Signature[1..])),
        ("mailgun", MailgunParsed with
        {
            Name = "mailgun: unsigned", Body = UrlEncoded(("recipient", "support@example.com"), ("from", "x@example.net")),
            Signature = SignatureCheck.Missing, Messages = [],
        }),
        ("mailgun", MailgunParsed with
        {
            Name = "mailgun: a replayed old timestamp", Signature = SignatureCheck.Invalid, Messages = [],
            Body = MailgunParsed.Body.Replace("timestamp=1795425900", "timestamp=1795420000", StringComparison.Ordinal),
        }),
        ("mailgun", MailgunParsed with
        {
            Name = "mailgun: signed without a recipient", MalformedField = "recipient", Messages = [],
            Body = UrlEncoded(("from", "x@example.net"), ("body-plain", "hi"), ("timestamp", Timestamp), ("token", Token), ("signature", Signature)),
        }),
        ("postmark", PostmarkParsed),
        ("postmark", PostmarkParsed.Unsigned("postmark: no credentials")),
        ("postmark", PostmarkParsed with
        {
            Name = "postmark: wrong password", Signature = SignatureCheck.Invalid, Messages = [],
            Headers = new Dictionary<string, string> { ["Authorization"] = "Basic cG9zdG1hcms6Z3Vlc3M=" }, // postmark:guess
        }),
        ("postmark", PostmarkParsed with
        {
            Name = "postmark: auto-submitted mail is acknowledged and not routed", Messages = [],
            Body = PostmarkParsed.Body.Replace("""{"Name":"X-Spam-Status","Value":"No"}""", """{"Name":"Auto-Submitted","Value":"auto-replied"}""", StringComparison.Ordinal),
        }),
        ("postmark", PostmarkParsed with
        {
            Name = "postmark: no recipient", MalformedField = "OriginalRecipient", Messages = [],
            Body = """{"From":"paolo@example.org","Subject":"x","TextBody":"x"}""",
        }),
        ("sendgrid", SendGridParsed),
        ("sendgrid", SendGridParsed with
        {
            Name = "sendgrid: raw MIME (email field)",
            Body = Multipart(("email", EmailSamples.OutlookHtmlOnly.ReplaceLineEndings("\r\n")), ("to", "support@example.com"),
                ("envelope", """{"to":["support@example.com"],"from":"luca.verdi@example.org"}""")),
            Messages = [Outlook()],
        }),
        ("sendgrid", SendGridParsed.Unsigned("sendgrid: no credentials")),
        ("sendgrid", SendGridParsed with
        {
            Name = "sendgrid: no headers", MalformedField = "headers", Messages = [],
            Body = Multipart(("to", "support@example.com"), ("text", "hi")),
        }),
    ];

    public static (string Provider, ConformanceCase Case) Named(string name) => All.Single(c => c.Case.Name == name);

    private static InboundMessageReceived Expected(string id, string from, string? name, string threadKey, string? replyTo, string subject, string text,
        DateTimeOffset sent, Dictionary<string, string> metadata, bool verified, IReadOnlyList<MessageAttachment>? attachments = null) => new()
    {
        MessageId = MessageIds.ForInbound("email", id),
        Channel = "email",
        ChannelAccount = "support@example.com",
        ProviderMessageId = id,
        Sender = new CustomerAddress { Kind = "email", Value = from, DisplayName = name },
        ThreadKey = threadKey,
        Subject = subject,
        Text = text,
        Attachments = attachments ?? [],
        ProviderTimestamp = sent,
        ReceivedAt = Conformance.ReceivedAt,
        ReplyToProviderMessageId = replyTo,
        SenderVerified = verified,
        Metadata = metadata,
    };

    private static InboundMessageReceived GmailReply() => Expected("CAF=reply1042@mail.gmail.com", "maria.rossi@example.net", "Maria Rossi",
        "CAF=root1042@mail.gmail.com", "reply-1042@example.com", "Re: Invoice 1042", "Thanks, that works. Could you also send the receipt?",
        new DateTimeOffset(2026, 11, 23, 8, 12, 3, TimeSpan.Zero), new()
        {
            [InboundEmail.FullText] = "Thanks, that works. Could you also send the receipt?\n\nOn Sun, 22 Nov 2026 at 18:40, Example Support <support@example.com> wrote:\n> Hi Maria, the invoice is attached.",
            ["to"] = "support@example.com",
            [InboundEmail.SenderAuthenticationKey] = "verified: spf=pass (example.net), dkim=pass (example.net)",
        }, verified: true);

    private static InboundMessageReceived Parcel() => Expected("parcel-photo-1@example.org", "paolo@example.org", "Paolo Neri",
        "parcel-photo-1@example.org", null, "Damaged parcel", "The parcel arrived broken, photo attached.",
        new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.Zero), new()
        {
            [InboundEmail.FullText] = "The parcel arrived broken, photo attached.\n--\nPaolo Neri",
            ["to"] = "support@example.com",
            [InboundEmail.SenderAuthenticationKey] = "verified: spf=pass (example.org)",
        }, verified: true, [new MessageAttachment { ContentType = "image/jpeg", FileName = "parcel.jpg", SizeBytes = 57 }]);

    private static InboundMessageReceived IPhone() => Expected("8E3A1F2B-1C2D-4E5F-9A8B-7C6D5E4F3A2B@example.net", "giulia@example.net", "Giulia Bianchi",
        "appt-7@example.com", "appt-7@example.com", "Re: Your appointment", "Can we move it to Thursday? — Giulia",
        new DateTimeOffset(2026, 11, 23, 9, 5, 12, TimeSpan.Zero), new()
        {
            [InboundEmail.FullText] = "Can we move it to Thursday? — Giulia\n\nSent from my iPhone\n\n> On 22 Nov 2026, at 17:00, Example Support <support@example.com> wrote:\n> \n> Your appointment is on Wednesday at 10:00.",
            ["to"] = "support@example.com",
            [InboundEmail.SenderAuthenticationKey] = "verified: spf=pass (example.net)",
        }, verified: true);

    private static InboundMessageReceived Outlook() => Expected("AM0PR10MB4321D0E5C3F6B8A1@AM0PR10MB4321.eurprd10.prod.outlook.com", "luca.verdi@example.org", "Luca Verdi",
        "refund-1042@example.com", "refund-1042@example.com", "RE: Refund for order 1042",
        "Hello,\nthe refund has not arrived yet & the order page (https://shop.example.com/orders/1042) still says pending.\nRegards,\nLuca",
        new DateTimeOffset(2026, 11, 23, 8, 1, 44, TimeSpan.Zero), new()
        {
            [InboundEmail.FullText] = "Hello,\nthe refund has not arrived yet & the order page (https://shop.example.com/orders/1042) still says pending.\nRegards,\nLuca\n________________________________\nFrom: Example Support <support@example.com>\nSent: Friday, November 20, 2026 5:10 PM\nTo: Luca Verdi\nSubject: Refund for order 1042\nWe have issued the refund.",
            ["to"] = "support@example.com",
            // raw MIME without SendGrid's SPF and dkim fields, and no trusted server's Authentication-Results: anybody's From
            [InboundEmail.SenderAuthenticationKey] = "unverified: none",
        }, verified: false);

    private static string UrlEncoded(params (string Name, string Value)[] fields) =>
        string.Join('&', fields.Select(f => Uri.EscapeDataString(f.Name) + "=" + Uri.EscapeDataString(f.Value)));

    private static string Multipart(params (string Name, string Value)[] fields)
    {
        var body = new StringBuilder();
        foreach (var (name, value) in fields)
        {
            body.Append("--").Append(Boundary).Append("\r\nContent-Disposition: form-data; name=\"").Append(name).Append("\"\r\n\r\n").Append(value).Append("\r\n");
        }
        return body.Append("--").Append(Boundary).Append("--\r\n").ToString();
    }
}
