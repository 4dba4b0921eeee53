using Routing.Adapters.Testing;
using Routing.Contracts;

namespace Adapters.Tests.Twitter;

/// <summary>
/// Account Activity API deliveries. The direct message, its users and apps maps are X's example from the
/// account activity data objects (https://docs.x.com/x-api/enterprise-gnip-2.0/fundamentals/account-activity,
/// "direct_message_events"); the media, quick reply and initiated_via fields follow the message_create object
/// (https://developer.x.com/en/docs/direct-messages/sending-and-receiving/guides/message-create-object); read,
/// typing, favorite and revoke events follow the same data objects page. Ids and texts beyond the examples are
/// made up. Posts (tweet_create_events, with user_has_blocked) follow the same page and X's Tweet object data dictionary:
/// a long post's extended_tweet, display_text_range, entities and extended_entities, quoted_status and retweeted_status.
/// Bodies are compact JSON, byte-exact; signatures were computed independently of this code
/// (Python hmac, SHA-256, base64) with the dev-only consumer secret below.
/// </summary>
internal static class TwitterCases
{
    public const string ConsumerSecret = "dev-twitter-consumer-secret-not-a-secret";
    public const string PublicUrl = "https://hooks.example.com/webhooks/twitter";
    public const string Account = "4337869213";
    public const string Customer = "3001969357";
    private const string Json = "application/json";
    private const string Source = "https://docs.x.com/x-api/enterprise-gnip-2.0/fundamentals/account-activity";
    private const string MessageCreate = "https://developer.x.com/en/docs/direct-messages/sending-and-receiving/guides/message-create-object";
    private const string Tweets = "https://developer.x.com/en/docs/twitter-api/v1/data-dictionary/object-model/tweet";
    private static readonly DateTimeOffset At = Conformance.ReceivedAt;

    public const string Text = """{"for_user_id":"4337869213","direct_message_events":[{"type":"message_create","id":"954491830116155396","created_timestamp":"1516403560557","message_create":{"target":{"recipient_id":"4337869213"},"sender_id":"3001969357","source_app_id":"13090192","message_data":{"text":"Hello World!","entities":{"hashtags":[],"symbols":[],"user_mentions":[],"urls":[]}}}}],"apps":{"13090192":{"id":"13090192","name":"FuriousCamperTestApp1","url":"https://twitter.com/furiouscamper"}},"users":{"3001969357":{"id":"3001969357","created_timestamp":"1422556069340","name":"Jordan Brinks","screen_name":"furiouscamper","location":"Boulder, CO","description":"Alter Ego - Twitter PE opinions-are-my-own","url":"https://t.co/SnxaA15ZuY","protected":false,"verified":false,"followers_count":22,"friends_count":45,"statuses_count":494,"profile_image_url":"null","profile_image_url_https":"https://pbs.twimg.com/profile_images/851526626785480705/cW4WTi7C_normal.jpg"},"4337869213":{"id":"4337869213","created_timestamp":"1448312972328","name":"Harrison Test","screen_name":"Harris_0ff","location":"Burlington, MA","protected":false,"verified":false,"followers_count":8,"friends_count":8,"profile_image_url":"null","statuses_count":240,"profile_image_url_https":"https://abs.twimg.com/sticky/default_profile_images/default_profile_normal.png"}}}""";

    private static ConformanceCase TextMessage => new()
    {
        Name = "direct message with the users map (X's example)",
        Source = Source,
        ContentType = Json,
        Body = Text,
        Headers = Signed("sha256=IUWVrQfvy2dtpzJxdPKmkPiIVO5XEfxCeY96rjxKcRc="),
        Messages = [Message("954491830116155396", 1516403560557, "Hello World!")],
    };

    public static IEnumerable<ConformanceCase> All =>
    [
        TextMessage,
        new()
        {
            Name = "our own reply echoed back",
            Source = Source,
            ContentType = Json,
            Body = """{"for_user_id":"4337869213","direct_message_events":[{"type":"message_create","id":"954491904594653188","created_timestamp":"1516403578314","message_create":{"target":{"recipient_id":"3001969357"},"sender_id":"4337869213","source_app_id":"13090192","message_data":{"text":"Thanks, we are on it.","entities":{"hashtags":[],"symbols":[],"user_mentions":[],"urls":[]}}}}],"apps":{"13090192":{"id":"13090192","name":"FuriousCamperTestApp1","url":"https://twitter.com/furiouscamper"}},"users":{"3001969357":{"id":"3001969357","created_timestamp":"1422556069340","name":"Jordan Brinks","screen_name":"furiouscamper","location":"Boulder, CO","description":"Alter Ego - Twitter PE opinions-are-my-own","url":"https://t.co/SnxaA15ZuY","protected":false,"verified":false,"followers_count":22,"friends_count":45,"statuses_count":494,"profile_image_url":"null","profile_image_url_https":"https://pbs.twimg.com/profile_images/851526626785480705/cW4WTi7C_normal.jpg"},"4337869213":{"id":"4337869213","created_timestamp":"1448312972328","name":"Harrison Test","screen_name":"Harris_0ff","location":"Burlington, MA","protected":false,"verified":false,"followers_count":8,"friends_count":8,"profile_image_url":"null","statuses_count":240,"profile_image_url_https":"https://abs.twimg.com/sticky/default_profile_images/default_profile_normal.png"}}}""",
            Headers = Signed("sha256=G8ygtX+yUafQxZLe9gHvHsLoPBLYzK531ZRNunPB/K4="),
        },
        new()
        {
            Name = "photo and a link: the media link leaves the text, the t.co link is expanded",
            Source = MessageCreate,
            ContentType = Json,
            Body = """{"for_user_id":"4337869213","direct_message_events":[{"type":"message_create","id":"954492140436217860","created_timestamp":"1516403634549","message_create":{"target":{"recipient_id":"4337869213"},"sender_id":"3001969357","message_data":{"text":"The box arrived like this, order https://t.co/7hBqPAxqGv https://t.co/Pw8xLvXhVW","entities":{"hashtags":[],"symbols":[],"user_mentions":[],"urls":[{"url":"https://t.co/7hBqPAxqGv","expanded_url":"https://shop.example.com/orders/1042","display_url":"shop.example.com/orders/1042","indices":[33,56]}]},"attachment":{"type":"media","media":{"id":954492128385880064,"id_str":"954492128385880064","indices":[57,80],"media_url":"https://ton.twitter.com/1.1/ton/data/dm/954492140436217860/954492128385880064/UzfHPDD6.jpg","media_url_https":"https://ton.twitter.com/1.1/ton/data/dm/954492140436217860/954492128385880064/UzfHPDD6.jpg","url":"https://t.co/Pw8xLvXhVW","display_url":"pic.twitter.com/Pw8xLvXhVW","expanded_url":"https://twitter.com/messages/media/954492140436217860","type":"photo","sizes":{"thumb":{"w":150,"h":150,"resize":"crop"},"large":{"w":1024,"h":768,"resize":"fit"}}}}}}}],"users":{"3001969357":{"id":"3001969357","created_timestamp":"1422556069340","name":"Jordan Brinks","screen_name":"furiouscamper","location":"Boulder, CO","description":"Alter Ego - Twitter PE opinions-are-my-own","url":"https://t.co/SnxaA15ZuY","protected":false,"verified":false,"followers_count":22,"friends_count":45,"statuses_count":494,"profile_image_url":"null","profile_image_url_https":"https://pbs.twimg.com/profile_images/851526626785480705/cW4WTi7C_normal.jpg"},"4337869213":{"id":"4337869213","created_timestamp":"1448312972328","name":"Harrison Test","screen_name":"Harris_0ff","location":"Burlington, MA","protected":false,"verified":false,"followers_count":8,"friends_count":8,"profile_image_url":"null","statuses_count":240,"profile_image_url_https":"https://abs.twimg.com/sticky/default_profile_images/default_profile_normal.png"}}}""",
            Headers = Signed("sha256=HXA3JXmGx6xKaUna55n1SVeDPjMqc9Vb7MTQfLUKDy0="),
            Messages = [Message("954492140436217860", 1516403634549, "The box arrived like this, order https://shop.example.com/orders/1042") with
            {
                Attachments = [new MessageAttachment { ContentType = "image/*", Url = "https://ton.twitter.com/1.1/ton/data/dm/954492140436217860/954492128385880064/UzfHPDD6.jpg" }],
            }],
        },
        new()
        {
            Name = "quick reply answer, conversation started from a post",
            Source = MessageCreate,
            ContentType = Json,
            Body = """{"for_user_id":"4337869213","direct_message_events":[{"type":"message_create","id":"954493010511982596","created_timestamp":"1516403842016","initiated_via":{"tweet_id":"954490972558331904"},"message_create":{"target":{"recipient_id":"4337869213"},"sender_id":"3001969357","message_data":{"text":"Talk to a person","entities":{"hashtags":[],"symbols":[],"user_mentions":[],"urls":[]},"quick_reply_response":{"type":"options","metadata":"external_id_2"}}}}],"users":{"3001969357":{"id":"3001969357","created_timestamp":"1422556069340","name":"Jordan Brinks","screen_name":"furiouscamper","location":"Boulder, CO","description":"Alter Ego - Twitter PE opinions-are-my-own","url":"https://t.co/SnxaA15ZuY","protected":false,"verified":false,"followers_count":22,"friends_count":45,"statuses_count":494,"profile_image_url":"null","profile_image_url_https":"https://pbs.twimg.com/profile_images/851526626785480705/cW4WTi7C_normal.jpg"},"4337869213":{"id":"4337869213","created_timestamp":"1448312972328","name":"Harrison Test","screen_name":"Harris_0ff","location":"Burlington, MA","protected":false,"verified":false,"followers_count":8,"friends_count":8,"profile_image_url":"null","statuses_count":240,"profile_image_url_https":"https://abs.twimg.com/sticky/default_profile_images/default_profile_normal.png"}}}""",
            Headers = Signed("sha256=2hYz0JG3MBjC1iRrUkAlMYyAfPUEukGucf6FhZcPCdY="),
            Messages = [Message("954493010511982596", 1516403842016, "Talk to a person") with
            {
                Metadata = new Dictionary<string, string>
                {
                    ["screen_name"] = "furiouscamper", ["quick_reply_metadata"] = "external_id_2", ["initiated_via_tweet_id"] = "954490972558331904",
                },
            }],
        },
        new()
        {
            Name = "two customers' messages and a typing indicator in one delivery",
            Source = Source,
            ContentType = Json,
            Body = """{"for_user_id":"4337869213","direct_message_indicate_typing_events":[{"created_timestamp":"1516403560000","sender_id":"3001969357","target":{"recipient_id":"4337869213"}}],"direct_message_events":[{"type":"message_create","id":"954494000000000001","created_timestamp":"1516404000001","message_create":{"target":{"recipient_id":"4337869213"},"sender_id":"3001969357","message_data":{"text":"Order 1042","entities":{"hashtags":[],"symbols":[],"user_mentions":[],"urls":[]}}}},{"type":"message_create","id":"954494000000000002","created_timestamp":"1516404000002","message_create":{"target":{"recipient_id":"4337869213"},"sender_id":"783214","message_data":{"text":"Where is my refund?","entities":{"hashtags":[],"symbols":[],"user_mentions":[],"urls":[]}}}}],"users":{"3001969357":{"id":"3001969357","name":"Jordan Brinks","screen_name":"furiouscamper"},"783214":{"id":"783214","name":"X","screen_name":"X"}}}""",
            Headers = Signed("sha256=PSutYzITpMNABiTgF9H00tRyGFUaki5q/3lsbbkBIIc="),
            Messages =
            [
                Message("954494000000000001", 1516404000001, "Order 1042"),
                Message("954494000000000002", 1516404000002, "Where is my refund?") with
                {
                    Sender = new CustomerAddress { Kind = "twitter", Value = "783214", DisplayName = "X" },
                    Metadata = new Dictionary<string, string> { ["screen_name"] = "X" },
                },
            ],
        },
        new()
        {
            Name = "the customer read our reply; the account reading theirs is not a status",
            Source = Source,
            ContentType = Json,
            Body = """{"for_user_id":"4337869213","direct_message_mark_read_events":[{"created_timestamp":"1516403700000","sender_id":"3001969357","target":{"recipient_id":"4337869213"},"last_read_event_id":"954491904594653188"},{"created_timestamp":"1516403701000","sender_id":"4337869213","target":{"recipient_id":"3001969357"},"last_read_event_id":"954491830116155396"}],"users":{"3001969357":{"id":"3001969357","created_timestamp":"1422556069340","name":"Jordan Brinks","screen_name":"furiouscamper","location":"Boulder, CO","description":"Alter Ego - Twitter PE opinions-are-my-own","url":"https://t.co/SnxaA15ZuY","protected":false,"verified":false,"followers_count":22,"friends_count":45,"statuses_count":494,"profile_image_url":"null","profile_image_url_https":"https://pbs.twimg.com/profile_images/851526626785480705/cW4WTi7C_normal.jpg"},"4337869213":{"id":"4337869213","created_timestamp":"1448312972328","name":"Harrison Test","screen_name":"Harris_0ff","location":"Burlington, MA","protected":false,"verified":false,"followers_count":8,"friends_count":8,"profile_image_url":"null","statuses_count":240,"profile_image_url_https":"https://abs.twimg.com/sticky/default_profile_images/default_profile_normal.png"}}}""",
            Headers = Signed("sha256=9bL7skj8zxDf5LCKkPwW8KoYbGM1hF58gZUWDXrnx5k="),
            Statuses =
            [
                new DeliveryStatusChanged
                {
                    Channel = "twitter",
                    ChannelAccount = Account,
                    ProviderMessageId = "954491904594653188",
                    Recipient = new CustomerAddress { Kind = "twitter", Value = Customer },
                    Status = "read",
                    OccurredAt = DateTimeOffset.FromUnixTimeMilliseconds(1516403700000),
                },
            ],
        },
        new()
        {
            Name = "a like: other account activity is acknowledged, nothing published",
            Source = Source,
            ContentType = Json,
            Body = """{"for_user_id":"2244994945","favorite_events":[{"id":"a7ba59eab0bfcba386f7acedac279542","created_at":"Mon Mar 26 16:33:26 +0000 2018","timestamp_ms":1522082006140,"favorited_status":{"id_str":"978236766924947456","text":"Hello"},"user":{"id_str":"3001969357","name":"Jordan Brinks","screen_name":"furiouscamper"}}]}""",
            Headers = Signed("sha256=z0Q3UmPnK81S6bm5S4hPBfmhWw8MzpBSyP/p6cd990s="),
        },
        new()
        {
            Name = "the account revoked the app",
            Source = Source,
            ContentType = Json,
            Body = """{"for_user_id":"4337869213","user_event":{"revoke":{"date_time":"2018-05-24T09:48:12+00:00","target":{"app_id":"13090192"},"source":{"user_id":"4337869213"}}}}""",
            Headers = Signed("sha256=t7udumqd/eDJ0SmpjusHUumLIsWKWdlXB9ZjalhFllc="),
        },
        TextMessage.Tampered("tampered body", "Hello World!", "Hello World?"),
        TextMessage.Unsigned("no signature"),
        new()
        {
            Name = "signed but not JSON",
            Source = Source,
            ContentType = Json,
            Body = """{"for_user_id":"4337869213","direct_message_events":[""",
            Headers = Signed("sha256=8dW4xZzZD1/OPIcXpQywsqWacF7LX8xccDqz7is0aI0="),
            MalformedField = "body",
        },
        new()
        {
            Name = "signed without for_user_id",
            Source = Source,
            ContentType = Json,
            Body = """{"direct_message_events":[]}""",
            Headers = Signed("sha256=4wAjdCCPr89BjH5CWI5d++eW1KqMtAjFfVBLpNL/XqA="),
            MalformedField = "for_user_id",
        },
        new()
        {
            Name = "signed message without a sender",
            Source = Source,
            ContentType = Json,
            Body = """{"for_user_id":"4337869213","direct_message_events":[{"type":"message_create","id":"954491830116155396","created_timestamp":"1516403560557","message_create":{"target":{"recipient_id":"4337869213"},"message_data":{"text":"Hello World!"}}}]}""",
            Headers = Signed("sha256=fGCnFGRfvWatmko1Hmfittnqrkb9fx4SXhwN4TdPu9o="),
            MalformedField = "direct_message_events[0].message_create.sender_id",
        },
        new()
        {
            Name = "a post mentioning the account: a public message of the same person as their DMs",
            Source = Tweets,
            ContentType = Json,
            Body = """{"for_user_id":"4337869213","user_has_blocked":"false","tweet_create_events":[{"created_at":"Fri Nov 20 09:12:44 +0000 2026","id":1991543210987654321,"id_str":"1991543210987654321","text":"@Harris_0ff my order 1042 never arrived and nobody answers the phone. Is anyone listening?","display_text_range":[0,90],"source":"<a href=\"https://mobile.twitter.com\" rel=\"nofollow\">Twitter Web App</a>","truncated":false,"in_reply_to_status_id":null,"in_reply_to_status_id_str":null,"in_reply_to_user_id":null,"in_reply_to_user_id_str":null,"in_reply_to_screen_name":null,"user":{"id":3001969357,"id_str":"3001969357","name":"Jordan Brinks","screen_name":"furiouscamper","location":"Boulder, CO","protected":false,"verified":false,"followers_count":22,"profile_image_url_https":"https://pbs.twimg.com/profile_images/851526626785480705/cW4WTi7C_normal.jpg"},"geo":null,"coordinates":null,"place":null,"is_quote_status":false,"quote_count":0,"reply_count":0,"retweet_count":0,"favorite_count":0,"entities":{"hashtags":[],"urls":[],"user_mentions":[{"screen_name":"Harris_0ff","name":"Harrison Test","id":4337869213,"id_str":"4337869213","indices":[0,11]}],"symbols":[]},"favorited":false,"retweeted":false,"filter_level":"low","lang":"en","timestamp_ms":"1795165964000"}]}""",
            Headers = Signed("sha256=syp+5u/bn8GoYnHuofzlUfxgmYo5VQsicevDiZVU8u4="),
            Messages = [Post("1991543210987654321", 1795165964000, "@Harris_0ff my order 1042 never arrived and nobody answers the phone. Is anyone listening?",
                new PublicPost { PostId = "1991543210987654321", Permalink = "https://x.com/furiouscamper/status/1991543210987654321", Kind = "mention" })],
        },
        new()
        {
            Name = "a long reply to the account's post: full text, no leading @name, link expanded, photo attached",
            Source = Tweets,
            ContentType = Json,
            Body = """{"for_user_id":"4337869213","user_has_blocked":"false","tweet_create_events":[{"created_at":"Fri Nov 20 09:20:01 +0000 2026","id":1991545041234567890,"id_str":"1991545041234567890","text":"@Harris_0ff Still waiting for the refund you promised here. Order 1042, tracking says delivered but the box never came.… https://t.co/XyZ0987654","display_text_range":[12,140],"truncated":true,"in_reply_to_status_id":1991500000000000001,"in_reply_to_status_id_str":"1991500000000000001","in_reply_to_user_id":4337869213,"in_reply_to_user_id_str":"4337869213","in_reply_to_screen_name":"Harris_0ff","user":{"id":3001969357,"id_str":"3001969357","name":"Jordan Brinks","screen_name":"furiouscamper","location":"Boulder, CO","protected":false,"verified":false,"followers_count":22,"profile_image_url_https":"https://pbs.twimg.com/profile_images/851526626785480705/cW4WTi7C_normal.jpg"},"is_quote_status":false,"extended_tweet":{"full_text":"@Harris_0ff Still waiting for the refund you promised here. Order 1042, tracking says delivered but the box never came. Photo of my porch: https://t.co/AbCdEf1234 https://t.co/PhOtO98765","display_text_range":[12,162],"entities":{"hashtags":[],"urls":[{"url":"https://t.co/AbCdEf1234","expanded_url":"https://shop.example.com/orders/1042","display_url":"shop.example.com/orders/1042","indices":[137,160]}],"user_mentions":[{"screen_name":"Harris_0ff","name":"Harrison Test","id":4337869213,"id_str":"4337869213","indices":[0,11]}],"symbols":[],"media":[{"id":1991545030000000000,"id_str":"1991545030000000000","indices":[161,184],"media_url":"http://pbs.twimg.com/media/GdPorchAbc.jpg","media_url_https":"https://pbs.twimg.com/media/GdPorchAbc.jpg","url":"https://t.co/PhOtO98765","display_url":"pic.twitter.com/PhOtO98765","expanded_url":"https://twitter.com/furiouscamper/status/1991545041234567890/photo/1","type":"photo"}]},"extended_entities":{"media":[{"id":1991545030000000000,"id_str":"1991545030000000000","indices":[161,184],"media_url":"http://pbs.twimg.com/media/GdPorchAbc.jpg","media_url_https":"https://pbs.twimg.com/media/GdPorchAbc.jpg","url":"https://t.co/PhOtO98765","display_url":"pic.twitter.com/PhOtO98765","expanded_url":"https://twitter.com/furiouscamper/status/1991545041234567890/photo/1","type":"photo"}]}},"entities":{"hashtags":[],"urls":[{"url":"https://t.co/XyZ0987654","expanded_url":"https://twitter.com/i/web/status/1991545041234567890","display_url":"twitter.com/i/web/status/1…","indices":[117,140]}],"user_mentions":[{"screen_name":"Harris_0ff","name":"Harrison Test","id":4337869213,"id_str":"4337869213","indices":[0,11]}],"symbols":[]},"lang":"en","timestamp_ms":"1795166401000"}]}""",
            Headers = Signed("sha256=ZxYFRLRlSapBdlTnWGUT7UzkNkNt5Qn1lSY2+V1C6So="),
            Messages = [Post("1991545041234567890", 1795166401000,
                "Still waiting for the refund you promised here. Order 1042, tracking says delivered but the box never came. Photo of my porch: https://shop.example.com/orders/1042",
                new PublicPost
                {
                    PostId = "1991500000000000001", Permalink = "https://x.com/furiouscamper/status/1991545041234567890", ParentId = "1991500000000000001",
                    ParentAuthor = "Harris_0ff", Kind = "reply",
                }) with
            {
                ReplyToProviderMessageId = "1991500000000000001",
                Attachments = [new MessageAttachment { ContentType = "image/*", Url = "https://pbs.twimg.com/media/GdPorchAbc.jpg" }],
            }],
        },
        new()
        {
            Name = "a quote of the account's post: the quoted words are the context, X's escapes undone",
            Source = Tweets,
            ContentType = Json,
            Body = """{"for_user_id":"4337869213","tweet_create_events":[{"created_at":"Fri Nov 20 10:02:13 +0000 2026","id":1991555660000000001,"id_str":"1991555660000000001","text":"Free delivery, they say. Three weeks &amp; counting &lt;sigh&gt; https://t.co/QuOtE00001","display_text_range":[0,64],"truncated":false,"in_reply_to_status_id_str":null,"in_reply_to_screen_name":null,"user":{"id":3001969357,"id_str":"3001969357","name":"Jordan Brinks","screen_name":"furiouscamper","location":"Boulder, CO","protected":false,"verified":false,"followers_count":22,"profile_image_url_https":"https://pbs.twimg.com/profile_images/851526626785480705/cW4WTi7C_normal.jpg"},"is_quote_status":true,"quoted_status_id_str":"1991400000000000007","quoted_status":{"created_at":"Thu Nov 19 08:00:00 +0000 2026","id":1991400000000000007,"id_str":"1991400000000000007","text":"Free delivery on every order this week!","display_text_range":[0,39],"truncated":false,"user":{"id":4337869213,"id_str":"4337869213","name":"Harrison Test","screen_name":"Harris_0ff","protected":false,"verified":false},"is_quote_status":false,"entities":{"hashtags":[],"urls":[],"user_mentions":[],"symbols":[]},"lang":"en"},"entities":{"hashtags":[],"urls":[{"url":"https://t.co/QuOtE00001","expanded_url":"https://twitter.com/Harris_0ff/status/1991400000000000007","display_url":"twitter.com/Harris_0ff/sta…","indices":[65,88]}],"user_mentions":[],"symbols":[]},"lang":"en","timestamp_ms":"1795168933000"}]}""",
            Headers = Signed("sha256=kETem5XYwixH4UvBWHhJOv+yQO50tBAw0EAHcfhaCms="),
            Messages = [Post("1991555660000000001", 1795168933000, "Free delivery, they say. Three weeks & counting <sigh>",
                new PublicPost
                {
                    PostId = "1991400000000000007", Permalink = "https://x.com/furiouscamper/status/1991555660000000001", ParentId = "1991400000000000007",
                    ParentAuthor = "Harris_0ff", ParentText = "Free delivery on every order this week!", Kind = "quote",
                })],
        },
        new()
        {
            Name = "the account's own public reply echoed back, and a retweet: nothing published",
            Source = Tweets,
            ContentType = Json,
            Body = """{"for_user_id":"4337869213","tweet_create_events":[{"created_at":"Fri Nov 20 10:05:00 +0000 2026","id":1991556360000000002,"id_str":"1991556360000000002","text":"@furiouscamper We are sorry, a colleague is on it.","display_text_range":[15,50],"in_reply_to_status_id_str":"1991543210987654321","in_reply_to_screen_name":"furiouscamper","user":{"id":4337869213,"id_str":"4337869213","name":"Harrison Test","screen_name":"Harris_0ff","protected":false,"verified":false},"entities":{"hashtags":[],"urls":[],"user_mentions":[{"screen_name":"furiouscamper","id_str":"3001969357","indices":[0,14]}],"symbols":[]},"timestamp_ms":"1795169100000"},{"created_at":"Fri Nov 20 10:06:00 +0000 2026","id":1991556610000000003,"id_str":"1991556610000000003","text":"RT @Harris_0ff: Free delivery on every order this week!","user":{"id":3001969357,"id_str":"3001969357","name":"Jordan Brinks","screen_name":"furiouscamper","location":"Boulder, CO","protected":false,"verified":false,"followers_count":22,"profile_image_url_https":"https://pbs.twimg.com/profile_images/851526626785480705/cW4WTi7C_normal.jpg"},"retweeted_status":{"created_at":"Thu Nov 19 08:00:00 +0000 2026","id":1991400000000000007,"id_str":"1991400000000000007","text":"Free delivery on every order this week!","display_text_range":[0,39],"truncated":false,"user":{"id":4337869213,"id_str":"4337869213","name":"Harrison Test","screen_name":"Harris_0ff","protected":false,"verified":false},"is_quote_status":false,"entities":{"hashtags":[],"urls":[],"user_mentions":[],"symbols":[]},"lang":"en"},"entities":{"hashtags":[],"urls":[],"user_mentions":[{"screen_name":"Harris_0ff","id_str":"4337869213","indices":[3,14]}],"symbols":[]},"timestamp_ms":"1795169160000"}]}""",
            Headers = Signed("sha256=1vRZRunhLnyYRs7YjsGx5/Pvc8+ailrQSZsoa6RQTaY="),
        },
        new()
        {
            Name = "a mention by someone the account blocked: nothing published",
            Source = Source,
            ContentType = Json,
            Body = """{"for_user_id":"4337869213","user_has_blocked":"true","tweet_create_events":[{"created_at":"Fri Nov 20 09:12:44 +0000 2026","id":1991557000000000004,"id_str":"1991557000000000004","text":"@Harris_0ff my order 1042 never arrived and nobody answers the phone. Is anyone listening?","display_text_range":[0,90],"source":"<a href=\"https://mobile.twitter.com\" rel=\"nofollow\">Twitter Web App</a>","truncated":false,"in_reply_to_status_id":null,"in_reply_to_status_id_str":null,"in_reply_to_user_id":null,"in_reply_to_user_id_str":null,"in_reply_to_screen_name":null,"user":{"id":3001969357,"id_str":"3001969357","name":"Jordan Brinks","screen_name":"furiouscamper","location":"Boulder, CO","protected":false,"verified":false,"followers_count":22,"profile_image_url_https":"https://pbs.twimg.com/profile_images/851526626785480705/cW4WTi7C_normal.jpg"},"geo":null,"coordinates":null,"place":null,"is_quote_status":false,"quote_count":0,"reply_count":0,"retweet_count":0,"favorite_count":0,"entities":{"hashtags":[],"urls":[],"user_mentions":[{"screen_name":"Harris_0ff","name":"Harrison Test","id":4337869213,"id_str":"4337869213","indices":[0,11]}],"symbols":[]},"favorited":false,"retweeted":false,"filter_level":"low","lang":"en","timestamp_ms":"1795165964000"}]}""",
            Headers = Signed("sha256=rMcJbpXZUUcUb7sIWloECfQbaEhtC/R3Yqdv3Rka3WY="),
        },
        new()
        {
            Name = "signed post without an id",
            Source = Tweets,
            ContentType = Json,
            Body = """{"for_user_id":"4337869213","user_has_blocked":"false","tweet_create_events":[{"created_at":"Fri Nov 20 09:12:44 +0000 2026","text":"@Harris_0ff my order 1042 never arrived and nobody answers the phone. Is anyone listening?","display_text_range":[0,90],"source":"<a href=\"https://mobile.twitter.com\" rel=\"nofollow\">Twitter Web App</a>","truncated":false,"in_reply_to_status_id":null,"in_reply_to_status_id_str":null,"in_reply_to_user_id":null,"in_reply_to_user_id_str":null,"in_reply_to_screen_name":null,"user":{"id":3001969357,"id_str":"3001969357","name":"Jordan Brinks","screen_name":"furiouscamper","location":"Boulder, CO","protected":false,"verified":false,"followers_count":22,"profile_image_url_https":"https://pbs.twimg.com/profile_images/851526626785480705/cW4WTi7C_normal.jpg"},"geo":null,"coordinates":null,"place":null,"is_quote_status":false,"quote_count":0,"reply_count":0,"retweet_count":0,"favorite_count":0,"entities":{"hashtags":[],"urls":[],"user_mentions":[{"screen_name":"Harris_0ff","name":"Harrison Test","id":4337869213,"id_str":"4337869213","indices":[0,11]}],"symbols":[]},"favorited":false,"retweeted":false,"filter_level":"low","lang":"en","timestamp_ms":"1795165964000"}]}""",
            Headers = Signed("sha256=EmeutPplcqivEkjNgiWz3xcuaDZSzawHtW6aG3i7iXk="),
            MalformedField = "tweet_create_events[0].id_str",
        },
    ];

    public static ConformanceCase Named(string name) => All.Single(c => c.Name == name);

    private static Dictionary<string, string> Signed(string signature) => new() { ["x-twitter-webhooks-signature"] = signature };

    private static InboundMessageReceived Post(string id, long milliseconds, string text, PublicPost post) => Message(id, milliseconds, text) with
    {
        ThreadKey = post.PostId,
        Visibility = MessageVisibility.Public,
        Post = post,
    };

    private static InboundMessageReceived Message(string id, long milliseconds, string? text) => new()
    {
        MessageId = MessageIds.ForInbound("twitter", id),
        Channel = "twitter",
        ChannelAccount = Account,
        ProviderMessageId = id,
        Sender = new CustomerAddress { Kind = "twitter", Value = Customer, DisplayName = "Jordan Brinks" },
        Text = text,
        ProviderTimestamp = DateTimeOffset.FromUnixTimeMilliseconds(milliseconds),
        ReceivedAt = At,
        Metadata = new Dictionary<string, string> { ["screen_name"] = "furiouscamper" },
    };
}
