using Routing.Adapters.Testing;
using Routing.Contracts;

namespace Adapters.Tests.Instagram;

/// <summary>
/// Instagram direct messages through the Messenger Platform. Shapes are Meta's messaging examples for Instagram
/// (https://developers.facebook.com/docs/instagram-platform/webhooks/examples: messages, attachments, story replies
/// and mentions, message_reactions, messaging_seen, echoes, deleted and unsupported messages) in the documented
/// {"object":"instagram","entry":[{"id","time","messaging":[...]}]} envelope, with made-up ids for Meta's placeholders
/// (the account 17841405309211844, the customer's IGSID 6970231626340297). Bodies are compact JSON, byte-exact;
/// signatures were computed independently of this code (Python hmac, SHA-256) with the dev-only app secret below.
/// </summary>
internal static class InstagramCases
{
    public const string AppSecret = "dev-instagram-app-secret-not-a-secret";
    public const string PublicUrl = "https://hooks.example.com/webhooks/instagram";
    public const string Account = "17841405309211844";
    public const string Igsid = "6970231626340297";
    private const string Json = "application/json";
    private const string Comments = "https://developers.facebook.com/docs/graph-api/webhooks/reference/instagram/#comments";
    private const string Source = "https://developers.facebook.com/docs/instagram-platform/webhooks/examples";
    private const long Sent = 1732609531984;

    public const string TextMid = "aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQxNDA1MzA5MjExODQ0OjM0MDI4MjM2Njg0MTcxMDMwMTI0NDI3NjAxNzg2MTY2MjYxMjQ2NjozMTk2MjA2ODUxNjk3NjAzNDkxMzk1NjQwNTE1NjE4MzY4MAZDZD";

    private static ConformanceCase TextMessage => new()
    {
        Name = "text",
        Source = Source,
        ContentType = Json,
        Body = """{"object":"instagram","entry":[{"id":"17841405309211844","time":1732609532578,"messaging":[{"sender":{"id":"6970231626340297"},"recipient":{"id":"17841405309211844"},"timestamp":1732609531984,"message":{"mid":"aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQxNDA1MzA5MjExODQ0OjM0MDI4MjM2Njg0MTcxMDMwMTI0NDI3NjAxNzg2MTY2MjYxMjQ2NjozMTk2MjA2ODUxNjk3NjAzNDkxMzk1NjQwNTE1NjE4MzY4MAZDZD","text":"Hi, my order never arrived"}}]}]}""",
        Headers = Signed("sha256=c632c13fc5e1e8696f1cd3afbcf90f30c020e43b7c992aaf40054f02f3545e8a"),
        Messages = [Message(TextMid, "Hi, my order never arrived")],
    };

    public static IEnumerable<ConformanceCase> All =>
    [
        TextMessage,
        new()
        {
            Name = "image",
            Source = Source,
            ContentType = Json,
            Body = """{"object":"instagram","entry":[{"id":"17841405309211844","time":1732609532578,"messaging":[{"sender":{"id":"6970231626340297"},"recipient":{"id":"17841405309211844"},"timestamp":1732609531984,"message":{"mid":"aWdfZAG1f_image","attachments":[{"type":"image","payload":{"url":"https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=17913806738993520&signature=AbzE"}}]}}]}]}""",
            Headers = Signed("sha256=bca21f8eb0d405e789ba73121c472513fe8de56ab5c84329ff917d42c62707da"),
            Messages = [Message("aWdfZAG1f_image", null) with
            {
                Attachments = [new MessageAttachment { ContentType = "image/*", Url = "https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=17913806738993520&signature=AbzE" }],
            }],
        },
        new()
        {
            Name = "a reply to the account's story: the story kept as an attachment",
            Source = Source,
            ContentType = Json,
            Body = """{"object":"instagram","entry":[{"id":"17841405309211844","time":1732609532578,"messaging":[{"sender":{"id":"6970231626340297"},"recipient":{"id":"17841405309211844"},"timestamp":1732609531984,"message":{"mid":"aWdfZAG1f_storyreply","text":"Is this still in stock?","reply_to":{"story":{"url":"https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=18034617880137458&signature=AbyQ","id":"18034617880137458"}}}}]}]}""",
            Headers = Signed("sha256=55b8f07b83fa52e00d5294c3c2fc4f1927182e32eee8edb236684c92f2454f94"),
            Messages = [Message("aWdfZAG1f_storyreply", "Is this still in stock?") with
            {
                Attachments = [new MessageAttachment { ContentType = "application/octet-stream", Url = "https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=18034617880137458&signature=AbyQ", FileName = "story" }],
                Metadata = new Dictionary<string, string> { ["reply_to_story"] = "18034617880137458" },
            }],
        },
        new()
        {
            Name = "a mention in the customer's story",
            Source = Source,
            ContentType = Json,
            Body = """{"object":"instagram","entry":[{"id":"17841405309211844","time":1732609532578,"messaging":[{"sender":{"id":"6970231626340297"},"recipient":{"id":"17841405309211844"},"timestamp":1732609531984,"message":{"mid":"aWdfZAG1f_mention","attachments":[{"type":"story_mention","payload":{"url":"https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=17972153747765178&signature=AbxM"}}]}}]}]}""",
            Headers = Signed("sha256=4617e0f497353f976513f8f8f956670ac8775d4ea96ca911212f35dd9f61e28b"),
            Messages = [Message("aWdfZAG1f_mention", null) with
            {
                Attachments = [new MessageAttachment { ContentType = "application/octet-stream", Url = "https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=17972153747765178&signature=AbxM" }],
                Metadata = new Dictionary<string, string> { ["story_mention"] = "true" },
            }],
        },
        new()
        {
            Name = "a reaction to our message, as a message with its emoji",
            Source = Source,
            ContentType = Json,
            Body = """{"object":"instagram","entry":[{"id":"17841405309211844","time":1732609532578,"messaging":[{"sender":{"id":"6970231626340297"},"recipient":{"id":"17841405309211844"},"timestamp":1732609531984,"reaction":{"mid":"aWdfZAG1f_ours","action":"react","reaction":"love","emoji":"\u2764"}}]}]}""",
            Headers = Signed("sha256=04acc1caceb7e72ad30e4532744bacf14e111c25cb7793d9c722bfdc14c8d808"),
            Messages = [Message("reaction:aWdfZAG1f_ours:1732609531984", "\u2764") with
            {
                ReplyToProviderMessageId = "aWdfZAG1f_ours",
                Metadata = new Dictionary<string, string> { ["reaction"] = "love" },
            }],
        },
        new()
        {
            Name = "a reaction taken back: nothing",
            Source = Source,
            ContentType = Json,
            Body = """{"object":"instagram","entry":[{"id":"17841405309211844","time":1732609532578,"messaging":[{"sender":{"id":"6970231626340297"},"recipient":{"id":"17841405309211844"},"timestamp":1732609531984,"reaction":{"mid":"aWdfZAG1f_ours","action":"unreact"}}]}]}""",
            Headers = Signed("sha256=51a9e70f28f9c20b80f073ad7928e968bfe631e20658b6c375b4e2f4ef3b9edb"),
        },
        new()
        {
            Name = "our echo and a deleted message left out, the message after them kept",
            Source = Source,
            ContentType = Json,
            Body = """{"object":"instagram","entry":[{"id":"17841405309211844","time":1732609532578,"messaging":[{"sender":{"id":"17841405309211844"},"recipient":{"id":"6970231626340297"},"timestamp":1732609531984,"message":{"mid":"aWdfZAG1f_echo","text":"We are on it","is_echo":true}},{"sender":{"id":"6970231626340297"},"recipient":{"id":"17841405309211844"},"timestamp":1732609531984,"message":{"mid":"aWdfZAG1f_deleted","is_deleted":true}},{"sender":{"id":"6970231626340297"},"recipient":{"id":"17841405309211844"},"timestamp":1732609532001,"message":{"mid":"aWdfZAG1f_after","text":"sorry, wrong photo"}}]}]}""",
            Headers = Signed("sha256=eb1cc53f8fd2ad14d8860053b6a24211e5ab111d3d99a4c2d0df7ca3fc82d576"),
            Messages = [Message("aWdfZAG1f_after", "sorry, wrong photo") with { ProviderTimestamp = DateTimeOffset.FromUnixTimeMilliseconds(1732609532001) }],
        },
        new()
        {
            Name = "seen: our message read, by its id",
            Source = Source,
            ContentType = Json,
            Body = """{"object":"instagram","entry":[{"id":"17841405309211844","time":1732609532578,"messaging":[{"sender":{"id":"6970231626340297"},"recipient":{"id":"17841405309211844"},"timestamp":1732609531984,"read":{"mid":"aWdfZAG1f_ours"}}]}]}""",
            Headers = Signed("sha256=8c473004d88aa9a93e51a6139f9a4107b2dd779dab6b766f1b8fe1ae18cce964"),
            Statuses = [new DeliveryStatusChanged
            {
                Channel = "instagram", ChannelAccount = Account, ProviderMessageId = "aWdfZAG1f_ours", Status = "read",
                Recipient = new CustomerAddress { Kind = "instagram", Value = Igsid }, OccurredAt = DateTimeOffset.FromUnixTimeMilliseconds(Sent),
            }],
        },
        new()
        {
            Name = "a message Instagram does not pass on: the agent sees that something came",
            Source = Source,
            ContentType = Json,
            Body = """{"object":"instagram","entry":[{"id":"17841405309211844","time":1732609532578,"messaging":[{"sender":{"id":"6970231626340297"},"recipient":{"id":"17841405309211844"},"timestamp":1732609531984,"message":{"mid":"aWdfZAG1f_unsupported","is_unsupported":true}}]}]}""",
            Headers = Signed("sha256=e5d07da0b5330948d82697bae8ae90a520985a90ebd1b8d5798e6dd648a8abc0"),
            Messages = [Message("aWdfZAG1f_unsupported", null) with { Metadata = new Dictionary<string, string> { ["unsupported"] = "true" } }],
        },
        TextMessage.Tampered("tampered body", "never arrived", "arrived"),
        TextMessage.Unsigned("no signature"),
        new()
        {
            Name = "signed but not JSON",
            Source = Source,
            ContentType = Json,
            Body = """{"object":"instagram","entry":[""",
            Headers = Signed("sha256=680f7a121a2f616906e27c223c521c0d3ca16b566b80efd7604a54edd04086ff"),
            MalformedField = "body",
        },
        new()
        {
            Name = "signed but a Page's delivery, not Instagram's",
            Source = Source,
            ContentType = Json,
            Body = """{"object":"page","entry":[]}""",
            Headers = Signed("sha256=185964a275a4750e5896b4084ee85c2174d9cd9ab1f1ce6a3fa1772600af9ac6"),
            MalformedField = "object",
        },
        new()
        {
            Name = "a comment on the account's post: a public message of the same person as their DMs",
            Source = Comments,
            ContentType = Json,
            Body = """{"object":"instagram","entry":[{"id":"17841405309211844","time":1795172000,"changes":[{"field":"comments","value":{"from":{"id":"6970231626340297","username":"nina.ferri"},"media":{"id":"18068738158496142","media_product_type":"FEED"},"id":"17865799348089039","text":"Ordered the blue one two weeks ago, still nothing 😕"}}]}]}""",
            Headers = Signed("sha256=4f86c492cc2f699af9add012188b8682447a4a1df59c56e6fdea439cc5edf08d"),
            Messages = [Comment("17865799348089039", "Ordered the blue one two weeks ago, still nothing 😕", null, "FEED")],
        },
        new()
        {
            Name = "the account's own reply is not a message; the customer's answer to it is",
            Source = Comments,
            ContentType = Json,
            Body = """{"object":"instagram","entry":[{"id":"17841405309211844","time":1795172100,"changes":[{"field":"comments","value":{"from":{"id":"17841405309211844","username":"acme","self_ig_scoped_id":"2105722729836161"},"media":{"id":"18068738158496142","media_product_type":"FEED"},"id":"17865799348089040","parent_id":"17865799348089039","text":"So sorry, Nina! Check your DMs."}},{"field":"comments","value":{"from":{"id":"6970231626340297","username":"nina.ferri"},"media":{"id":"18068738158496142","media_product_type":"REELS"},"id":"17865799348089041","parent_id":"17865799348089040","text":"Thanks!"}}]}]}""",
            Headers = Signed("sha256=289447ec9f852536670ee75634ababd207d327dd25fe2043d2109b85bc6f97e9"),
            Messages = [Comment("17865799348089041", "Thanks!", "17865799348089040", "REELS") with { ProviderTimestamp = DateTimeOffset.FromUnixTimeSeconds(1795172100) }],
        },
    ];

    public static ConformanceCase Named(string name) => All.Single(c => c.Name == name);

    private static InboundMessageReceived Comment(string id, string text, string? parent, string surface) => new()
    {
        MessageId = MessageIds.ForInbound("instagram", id),
        Channel = "instagram",
        ChannelAccount = Account,
        ProviderMessageId = id,
        Sender = new CustomerAddress { Kind = "instagram", Value = Igsid, DisplayName = "nina.ferri" },
        ThreadKey = "18068738158496142",
        Text = text,
        ProviderTimestamp = DateTimeOffset.FromUnixTimeSeconds(1795172000),
        ReceivedAt = Conformance.ReceivedAt,
        ReplyToProviderMessageId = parent ?? "18068738158496142",
        Visibility = MessageVisibility.Public,
        Post = new PublicPost { PostId = "18068738158496142", ParentId = parent, Kind = "comment" },
        Metadata = new Dictionary<string, string> { ["username"] = "nina.ferri", ["media_product_type"] = surface },
    };

    private static Dictionary<string, string> Signed(string signature) => new() { ["X-Hub-Signature-256"] = signature };

    private static InboundMessageReceived Message(string mid, string? text) => new()
    {
        MessageId = MessageIds.ForInbound("instagram", mid),
        Channel = "instagram",
        ChannelAccount = Account,
        ProviderMessageId = mid,
        Sender = new CustomerAddress { Kind = "instagram", Value = Igsid },
        Text = text,
        ProviderTimestamp = DateTimeOffset.FromUnixTimeMilliseconds(Sent),
        ReceivedAt = Conformance.ReceivedAt,
    };
}
