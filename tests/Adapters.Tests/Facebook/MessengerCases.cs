using Routing.Adapters.Testing;
using Routing.Contracts;

namespace Adapters.Tests.Facebook;

/// <summary>
/// Messenger Platform webhooks. Messaging items are Meta's examples from the webhook events reference
/// (https://developers.facebook.com/docs/messenger-platform/reference/webhook-events: messages with a quick
/// reply, reply_to and attachments, message_echoes, messaging_postbacks, message_deliveries, message_reads),
/// wrapped in the documented {"object":"page","entry":[{"id","time","messaging":[...]}]} envelope; Meta's
/// placeholders (PSID, PAGE_ID) are filled with made-up ids. Bodies are compact JSON, byte-exact; signatures
/// were computed independently of this code (Python hmac, SHA-256) with the dev-only app secret below.
/// </summary>
internal static class MessengerCases
{
    public const string AppSecret = "dev-facebook-app-secret-not-a-secret";
    public const string PublicUrl = "https://hooks.example.com/webhooks/facebook";
    public const string Page = "1353269864728879";
    public const string Psid = "1254459154682919";
    private const string Json = "application/json";
    private const string Feed = "https://developers.facebook.com/docs/graph-api/webhooks/reference/page/#feed";
    private const string Source = "https://developers.facebook.com/docs/messenger-platform/reference/webhook-events";
    private static readonly DateTimeOffset At = Conformance.ReceivedAt;

    public const string Text = """{"object":"page","entry":[{"id":"1353269864728879","time":1458692752478,"messaging":[{"sender":{"id":"1254459154682919"},"recipient":{"id":"1353269864728879"},"timestamp":1458692752478,"message":{"mid":"mid.1457764197618:41d102a3e1ae206a38","text":"hello, world!","quick_reply":{"payload":"DEVELOPER_DEFINED_PAYLOAD"}}}]}]}""";

    private static ConformanceCase TextMessage => new()
    {
        Name = "text with a quick reply (Meta's example)",
        Source = Source + "/messages",
        ContentType = Json,
        Body = Text,
        Headers = Signed("sha256=a84705058a2360427a552e729ad0904fc348f200731811c0b1da5417ae4095a2"),
        Messages = [Message("mid.1457764197618:41d102a3e1ae206a38", 1458692752478, "hello, world!") with
        {
            Metadata = new Dictionary<string, string> { ["quick_reply_payload"] = "DEVELOPER_DEFINED_PAYLOAD" },
        }],
    };

    public static IEnumerable<ConformanceCase> All =>
    [
        TextMessage,
        new()
        {
            Name = "reply to an earlier message (Meta's example)",
            Source = Source + "/messages",
            ContentType = Json,
            Body = """{"object":"page","entry":[{"id":"1353269864728879","time":1458692752478,"messaging":[{"sender":{"id":"1254459154682919"},"recipient":{"id":"1353269864728879"},"timestamp":1458692752478,"message":{"mid":"m_1457764197618:41d102a3e1ae206a38","text":"hello, world!","reply_to":{"mid":"m_1fTq8oLumEyIp3Q2MR-aY7IfLZDamVrALniheU"}}}]}]}""",
            Headers = Signed("sha256=14e5a3ac8bd5614fbba66ad90d7d42314a54af4e54fbb5d3aa5cf9289d07f380"),
            Messages = [Message("m_1457764197618:41d102a3e1ae206a38", 1458692752478, "hello, world!") with
            {
                ReplyToProviderMessageId = "m_1fTq8oLumEyIp3Q2MR-aY7IfLZDamVrALniheU",
            }],
        },
        new()
        {
            Name = "image attachment (Meta's example)",
            Source = Source + "/messages",
            ContentType = Json,
            Body = """{"object":"page","entry":[{"id":"682498302938465","time":1518479195594,"messaging":[{"sender":{"id":"1254459154682919"},"recipient":{"id":"682498302938465"},"timestamp":1518479195308,"message":{"mid":"mid.$cAAJdkrCd2ORnva8ErFhjGm0X_Q_c","attachments":[{"type":"image","payload":{"url":"https://scontent.xx.fbcdn.net/v/t1.15752-9/photo.jpg"}}]}}]}]}""",
            Headers = Signed("sha256=5f34f6bedacb731a4c1f086d6b445c79dedfcda1a3df87525a0fb31cec86b0be"),
            Messages = [Message("mid.$cAAJdkrCd2ORnva8ErFhjGm0X_Q_c", 1518479195308, null) with
            {
                ChannelAccount = "682498302938465",
                Attachments = [new MessageAttachment { ContentType = "image/*", Url = "https://scontent.xx.fbcdn.net/v/t1.15752-9/photo.jpg" }],
            }],
        },
        new()
        {
            Name = "two entries of two items, one an echo of our own message",
            Source = Source + "/message-echoes",
            ContentType = Json,
            Body = """{"object":"page","entry":[{"id":"1353269864728879","time":1458692752478,"messaging":[{"sender":{"id":"1254459154682919"},"recipient":{"id":"1353269864728879"},"timestamp":1458692752400,"message":{"mid":"m_first","text":"Is my order shipped?"}},{"sender":{"id":"1353269864728879"},"recipient":{"id":"1254459154682919"},"timestamp":1458692752450,"message":{"is_echo":true,"app_id":1517776481860111,"metadata":"routing","mid":"m_echo","text":"Let me check."}}]},{"id":"1353269864728879","time":1458692752600,"messaging":[{"sender":{"id":"1254459154682919"},"recipient":{"id":"1353269864728879"},"timestamp":1458692752500,"message":{"mid":"m_second","text":"Order 1042"}},{"sender":{"id":"1254459154682919"},"recipient":{"id":"1353269864728879"},"timestamp":1458692752550,"message":{"mid":"m_third","attachments":[{"type":"file","payload":{"url":"https://cdn.fbsbx.com/v/receipt.pdf"}}]}}]}]}""",
            Headers = Signed("sha256=f541a1ce62f249c92745dcb93e1a5101c5b07e26f08ac45cd1b381a6fe33df75"),
            Messages =
            [
                Message("m_first", 1458692752400, "Is my order shipped?"),
                Message("m_second", 1458692752500, "Order 1042"),
                Message("m_third", 1458692752550, null) with
                {
                    Attachments = [new MessageAttachment { ContentType = "application/octet-stream", Url = "https://cdn.fbsbx.com/v/receipt.pdf" }],
                },
            ],
        },
        new()
        {
            Name = "postback from a button, timestamp in seconds as in Meta's example",
            Source = Source + "/messaging_postbacks",
            ContentType = Json,
            Body = """{"object":"page","entry":[{"id":"1353269864728879","time":1458692752478,"messaging":[{"sender":{"id":"1254459154682919"},"recipient":{"id":"1353269864728879"},"timestamp":1527459824,"postback":{"mid":"m_AG5Hz2Uq7tuwNEhXfYYKj8mJEM_QPpz5jdCK48PnKAjSdjfipqxqMvK8ma6AC8fplwlqLP_5cgXIbu7I3rBN0P","title":"Talk to an agent","payload":"AGENT"}}]}]}""",
            Headers = Signed("sha256=98dfcb1cf8992cf8f9238cc80e47c964c511720dc2b1af62f14f1adab48eac3c"),
            Messages = [Message("m_AG5Hz2Uq7tuwNEhXfYYKj8mJEM_QPpz5jdCK48PnKAjSdjfipqxqMvK8ma6AC8fplwlqLP_5cgXIbu7I3rBN0P", 1527459824_000, "Talk to an agent") with
            {
                Metadata = new Dictionary<string, string> { ["postback_payload"] = "AGENT" },
            }],
        },
        new()
        {
            Name = "location",
            Source = Source + "/messages",
            ContentType = Json,
            Body = """{"object":"page","entry":[{"id":"1353269864728879","time":1458692752478,"messaging":[{"sender":{"id":"1254459154682919"},"recipient":{"id":"1353269864728879"},"timestamp":1458692752478,"message":{"mid":"m_location","attachments":[{"type":"location","payload":{"coordinates":{"lat":37.483307,"long":-122.148981}}}]}}]}]}""",
            Headers = Signed("sha256=97faad00e4ae8bc311bf8b68da8951a76df1fb15f11a66276b6bf156334568ce"),
            Messages = [Message("m_location", 1458692752478, "37.483307,-122.148981") with
            {
                Metadata = new Dictionary<string, string> { ["latitude"] = "37.483307", ["longitude"] = "-122.148981" },
            }],
        },
        new()
        {
            Name = "delivery with message ids (Meta's example)",
            Source = Source + "/message-deliveries",
            ContentType = Json,
            Body = """{"object":"page","entry":[{"id":"1353269864728879","time":1458692752478,"messaging":[{"sender":{"id":"1254459154682919"},"recipient":{"id":"1353269864728879"},"timestamp":1458668856463,"delivery":{"mids":["mid.1458668856218:ed81099e15d3f4f233"],"watermark":1458668856253}}]}]}""",
            Headers = Signed("sha256=41d08ed13c01d6ed7683333fc6625b15c42d91719f1b28893679d563b1abfe89"),
            Statuses = [Status("delivered", "mid.1458668856218:ed81099e15d3f4f233", upTo: false)],
        },
        new()
        {
            Name = "delivery by watermark only",
            Source = Source + "/message-deliveries",
            ContentType = Json,
            Body = """{"object":"page","entry":[{"id":"1353269864728879","time":1458692752478,"messaging":[{"sender":{"id":"1254459154682919"},"recipient":{"id":"1353269864728879"},"timestamp":1458668856463,"delivery":{"watermark":1458668856253}}]}]}""",
            Headers = Signed("sha256=d73fb99cb6e520a08293a4f8799dc42b238de4055cdd759b87a0c83d4b0c8a95"),
            Statuses = [Status("delivered", null, upTo: true)],
        },
        new()
        {
            Name = "read (Meta's example)",
            Source = Source + "/message-reads",
            ContentType = Json,
            Body = """{"object":"page","entry":[{"id":"1353269864728879","time":1458692752478,"messaging":[{"sender":{"id":"1254459154682919"},"recipient":{"id":"1353269864728879"},"timestamp":1458668856463,"read":{"watermark":1458668856253}}]}]}""",
            Headers = Signed("sha256=214e791b263d4e5d0abcf14ab16b7a2b1e0a59643a31618b0ae21b8ba70ee88b"),
            Statuses = [Status("read", null, upTo: true)],
        },
        TextMessage.Tampered("tampered body", "hello, world!", "hello, world?"),
        TextMessage.Unsigned("no signature"),
        new()
        {
            Name = "signed but not JSON",
            Source = Source,
            ContentType = Json,
            Body = """{"object":"page","entry":[""",
            Headers = Signed("sha256=c17ff6df2f16726413f1177c0468c9cdd0a052d34c261935f0f8fb1858896f7d"),
            MalformedField = "body",
        },
        new()
        {
            Name = "signed but not a Page object",
            Source = Source,
            ContentType = Json,
            Body = """{"object":"instagram","entry":[]}""",
            Headers = Signed("sha256=2cf9ec3608908e052b69d481a2eb34e1dc124e4582b15ba6a72b18d77d3e475d"),
            MalformedField = "object",
        },
        new()
        {
            Name = "signed item without a sender",
            Source = Source,
            ContentType = Json,
            Body = """{"object":"page","entry":[{"id":"1353269864728879","time":1458692752478,"messaging":[{"recipient":{"id":"1353269864728879"},"timestamp":1458692752478,"message":{"mid":"m_x","text":"hi"}}]}]}""",
            Headers = Signed("sha256=e1b811bd90e8d406b56174c8e5a07a2423e6b58f2b9db2150f6a3f6935514e69"),
            SkippedFields = ["entry[0].messaging[0].sender"],
        },
        new()
        {
            Name = "an item without a sender beside a good one: the good one counts",
            Source = Source,
            ContentType = Json,
            Body = """{"object":"page","entry":[{"id":"1353269864728879","time":1458692752478,"messaging":[{"recipient":{"id":"1353269864728879"},"timestamp":1458692752478,"message":{"mid":"m_x","text":"hi"}},{"sender":{"id":"1254459154682919"},"recipient":{"id":"1353269864728879"},"timestamp":1458692752478,"message":{"mid":"m_beside","text":"still here"}}]}]}""",
            Headers = Signed("sha256=92eb91fd90801a193850b1281da55d7f9b2b53c1f5f06466b2f9cede0451916e"),
            SkippedFields = ["entry[0].messaging[0].sender"],
            Messages = [Message("m_beside", 1458692752478, "still here")],
        },
        new()
        {
            Name = "a comment under the Page's post: a public message of its author",
            Source = Feed,
            ContentType = Json,
            Body = """{"object":"page","entry":[{"id":"1353269864728879","time":1795170000,"changes":[{"field":"feed","value":{"from":{"id":"3587261794680021","name":"Paolo Conti"},"post":{"status_type":"added_photos","is_published":true,"updated_time":"2026-11-20T10:20:00+0000","permalink_url":"https://www.facebook.com/acme/posts/pfbid02Xy7","promotion_status":"inactive","id":"1353269864728879_838212218440829"},"message":"I have a problem with my order, is anyone listening?","post_id":"1353269864728879_838212218440829","comment_id":"838212218440829_1150336279598617","created_time":1795169990,"item":"comment","parent_id":"1353269864728879_838212218440829","verb":"add"}}]}]}""",
            Headers = Signed("sha256=99604ed4ea72d7ee7d0e09c96dcc9cb1aaff609f2105516dab4fde7baca2c842"),
            Messages = [Public("838212218440829_1150336279598617", 1795169990, "I have a problem with my order, is anyone listening?", "3587261794680021", "Paolo Conti",
                new PublicPost { PostId = "1353269864728879_838212218440829", Permalink = "https://www.facebook.com/acme/posts/pfbid02Xy7", Kind = "comment" }) with
            {
                ReplyToProviderMessageId = "1353269864728879_838212218440829",
            }],
        },
        new()
        {
            Name = "a reply with a photo is a message; an edit, the Page's own comment and a reaction are not",
            Source = Feed,
            ContentType = Json,
            Body = """{"object":"page","entry":[{"id":"1353269864728879","time":1795170100,"changes":[{"field":"feed","value":{"from":{"id":"3587261794680021","name":"Paolo Conti"},"post":{"status_type":"added_photos","is_published":true,"updated_time":"2026-11-20T10:21:00+0000","permalink_url":"https://www.facebook.com/acme/posts/pfbid02Xy7","promotion_status":"inactive","id":"1353269864728879_838212218440829"},"message":"Here is the box as it came","post_id":"1353269864728879_838212218440829","comment_id":"838212218440829_1150336912345678","created_time":1795170090,"item":"comment","parent_id":"838212218440829_1150336279598617","verb":"add","photo":"https://scontent.xx.fbcdn.net/v/t39.30808-6/box.jpg"}},{"field":"feed","value":{"from":{"id":"3587261794680021","name":"Paolo Conti"},"post_id":"1353269864728879_838212218440829","comment_id":"838212218440829_1150336279598617","created_time":1795170095,"item":"comment","parent_id":"1353269864728879_838212218440829","verb":"edited","message":"I have a problem with my order!"}},{"field":"feed","value":{"from":{"id":"1353269864728879","name":"Acme"},"post_id":"1353269864728879_838212218440829","comment_id":"838212218440829_1150337000000001","created_time":1795170096,"item":"comment","parent_id":"838212218440829_1150336279598617","verb":"add","message":"We are on it, Paolo."}},{"field":"feed","value":{"from":{"id":"3587261794680021","name":"Paolo Conti"},"post_id":"1353269864728879_838212218440829","created_time":1795170097,"item":"reaction","parent_id":"1353269864728879_838212218440829","reaction_type":"angry","verb":"add"}}]}]}""",
            Headers = Signed("sha256=0076654fb7b4541d77e5f2962a7290d79590c8589709a25c7fe377b2469df394"),
            Messages = [Public("838212218440829_1150336912345678", 1795170090, "Here is the box as it came", "3587261794680021", "Paolo Conti",
                new PublicPost
                {
                    PostId = "1353269864728879_838212218440829", Permalink = "https://www.facebook.com/acme/posts/pfbid02Xy7", ParentId = "838212218440829_1150336279598617", Kind = "comment",
                }) with
            {
                ReplyToProviderMessageId = "838212218440829_1150336279598617",
                Attachments = [new MessageAttachment { ContentType = "image/*", Url = "https://scontent.xx.fbcdn.net/v/t39.30808-6/box.jpg" }],
            }],
        },
        new()
        {
            Name = "a visitor's post on the Page",
            Source = Feed,
            ContentType = Json,
            Body = """{"object":"page","entry":[{"id":"1353269864728879","time":1795171000,"changes":[{"field":"feed","value":{"from":{"id":"4711000000000001","name":"Lena Vogel"},"message":"Your delivery app has been down all morning.","post_id":"1353269864728879_900000000000001","created_time":1795170990,"item":"status","published":1,"verb":"add"}}]}]}""",
            Headers = Signed("sha256=ce2fc4554a1fafed7fe3d8758d94649e5357257eda151a0a7038c9d9ca8d6db5"),
            Messages = [Public("1353269864728879_900000000000001", 1795170990, "Your delivery app has been down all morning.", "4711000000000001", "Lena Vogel",
                new PublicPost { PostId = "1353269864728879_900000000000001", Kind = "post" })],
        },
        new()
        {
            Name = "a comment without its author is skipped, the delivery taken",
            Source = Feed,
            ContentType = Json,
            Body = """{"object":"page","entry":[{"id":"1353269864728879","time":1795170000,"changes":[{"field":"feed","value":{"post_id":"1353269864728879_838212218440829","comment_id":"838212218440829_1150339999999999","created_time":1795169990,"item":"comment","parent_id":"1353269864728879_838212218440829","verb":"add","message":"who am I"}}]}]}""",
            Headers = Signed("sha256=6401972a4be52e80d258751ad802776957d181518ba219eee6d7de144dc02d26"),
            SkippedFields = ["entry[0].changes[0].value.from"],
        },
    ];

    public static ConformanceCase Named(string name) => All.Single(c => c.Name == name);

    private static InboundMessageReceived Public(string id, long seconds, string text, string author, string name, PublicPost post) => new()
    {
        MessageId = MessageIds.ForInbound("facebook", id),
        Channel = "facebook",
        ChannelAccount = Page,
        ProviderMessageId = id,
        Sender = new CustomerAddress { Kind = "facebook-user", Value = author, DisplayName = name },
        ThreadKey = post.PostId,
        Text = text,
        ProviderTimestamp = DateTimeOffset.FromUnixTimeSeconds(seconds),
        ReceivedAt = At,
        Visibility = MessageVisibility.Public,
        Post = post,
    };

    private static Dictionary<string, string> Signed(string signature) => new() { ["X-Hub-Signature-256"] = signature };

    private static InboundMessageReceived Message(string mid, long milliseconds, string? text) => new()
    {
        MessageId = MessageIds.ForInbound("facebook", mid),
        Channel = "facebook",
        ChannelAccount = Page,
        ProviderMessageId = mid,
        Sender = new CustomerAddress { Kind = "facebook", Value = Psid },
        Text = text,
        ProviderTimestamp = DateTimeOffset.FromUnixTimeMilliseconds(milliseconds),
        ReceivedAt = At,
    };

    private static DeliveryStatusChanged Status(string status, string? mid, bool upTo) => new()
    {
        Channel = "facebook",
        ChannelAccount = Page,
        ProviderMessageId = mid,
        Recipient = new CustomerAddress { Kind = "facebook", Value = Psid },
        Status = status,
        UpTo = upTo ? DateTimeOffset.FromUnixTimeMilliseconds(1458668856253) : null,
        OccurredAt = DateTimeOffset.FromUnixTimeMilliseconds(1458668856253),
    };
}
