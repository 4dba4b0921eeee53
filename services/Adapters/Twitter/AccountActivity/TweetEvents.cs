using System.Globalization;
using System.Text;
using System.Text.Json;
using Routing.Adapters.Webhooks;
using Routing.Contracts;
using static Routing.Adapters.Webhooks.JsonPayload;

namespace Routing.Adapters.Twitter.AccountActivity;

/// <summary>
/// tweet_create_events of an Account Activity delivery: posts that mention the account, reply to its posts or quote them,
/// as public messages of their author (the same X user id their direct messages come from, so the same customer). The
/// account's own posts, retweets (no words of their own) and posts by someone the account blocked (user_has_blocked) are
/// not messages. Each post is the v1.1 Tweet object: a long post's words are in extended_tweet.full_text, and the leading
/// @names of a reply lie outside display_text_range (in code points). Reference:
/// https://docs.x.com/x-api/enterprise-gnip-2.0/fundamentals/account-activity and X's Tweet object data dictionary.
/// </summary>
internal static class TweetEvents
{
    public static IEnumerable<InboundMessageReceived> Parse(JsonElement root, string account, DateTimeOffset receivedAt)
    {
        // "user_has_blocked" comes with a mention: whether the account blocked its author (a string in X's samples, a bool elsewhere)
        if (Bool(root, "user_has_blocked") || String(root, "user_has_blocked") == "true")
        {
            yield break;
        }
        foreach (var (tweet, i) in Optional(root, "tweet_create_events").Select((x, i) => (x, i)))
        {
            var path = $"tweet_create_events[{i}]";
            var id = RequiredString(tweet, "id_str", path);
            var user = Object(tweet, "user") ?? throw new MalformedWebhookException($"{path}.user", "is required");
            var author = RequiredString(user, "id_str", $"{path}.user");
            if (author == account || Object(tweet, "retweeted_status") is not null)
            {
                continue; // the account's own post (our public reply, echoed back), or a retweet
            }
            yield return Message(tweet, id, user, author, account, receivedAt);
        }
    }

    private static InboundMessageReceived Message(JsonElement tweet, string id, JsonElement user, string author, string account, DateTimeOffset receivedAt)
    {
        var screenName = String(user, "screen_name");
        var (text, attachments) = Words(tweet);
        var repliesTo = String(tweet, "in_reply_to_status_id_str");
        var quoted = Object(tweet, "quoted_status");
        var quotedUser = quoted is { } q ? Object(q, "user") : null;
        var post = new PublicPost
        {
            PostId = repliesTo ?? (quoted is { } qp ? String(qp, "id_str") : null) ?? id,
            Permalink = $"https://x.com/{(string.IsNullOrEmpty(screenName) ? "i/web" : Uri.EscapeDataString(screenName))}/status/{id}",
            ParentId = repliesTo ?? (quoted is { } qi ? String(qi, "id_str") : null),
            ParentAuthor = String(tweet, "in_reply_to_screen_name") ?? (quotedUser is { } qu ? String(qu, "screen_name") : null),
            ParentText = quoted is { } qt ? Words(qt).Text : null,
            Kind = repliesTo is not null ? "reply" : quoted is not null ? "quote" : "mention",
        };
        var metadata = new Dictionary<string, string>();
        if (screenName is not null)
        {
            metadata["screen_name"] = screenName;
        }
        return new InboundMessageReceived
        {
            MessageId = MessageIds.ForInbound(Channels.Twitter, id),
            Channel = Channels.Twitter,
            ChannelAccount = account,
            ProviderMessageId = id,
            Sender = new CustomerAddress { Kind = "twitter", Value = author, DisplayName = String(user, "name") },
            ThreadKey = post.PostId,
            Text = string.IsNullOrEmpty(text) ? null : text,
            Attachments = attachments,
            ProviderTimestamp = Time(tweet) ?? receivedAt,
            ReceivedAt = receivedAt,
            ReplyToProviderMessageId = repliesTo,
            Visibility = MessageVisibility.Public,
            Post = post,
            Metadata = metadata,
        };
    }

    /// <summary>
    /// What the author wrote: the full text of a long post, without the reply's leading @names, with t.co links expanded, and
    /// the media's own link taken out (its photo or video is an attachment instead).
    /// </summary>
    private static (string? Text, IReadOnlyList<MessageAttachment> Attachments) Words(JsonElement tweet)
    {
        var source = Object(tweet, "extended_tweet") is { } extended && String(extended, "full_text") is not null ? extended : tweet;
        var text = String(source, "full_text") ?? String(source, "text");
        if (text is null)
        {
            return (null, []);
        }
        text = Shown(text, source);
        var entities = Object(source, "entities");
        foreach (var link in entities is { } e ? Optional(e, "urls") : [])
        {
            if (String(link, "url") is { Length: > 0 } shortened && String(link, "expanded_url") is { Length: > 0 } expanded)
            {
                text = text.Replace(shortened, expanded, StringComparison.Ordinal);
            }
        }
        var attachments = new List<MessageAttachment>();
        var media = Object(source, "extended_entities") is { } extendedEntities ? Optional(extendedEntities, "media")
            : entities is { } withMedia ? Optional(withMedia, "media") : [];
        foreach (var item in media)
        {
            if (String(item, "url") is { Length: > 0 } mediaLink)
            {
                text = text.Replace(mediaLink, "", StringComparison.Ordinal);
            }
            if (String(item, "media_url_https") is { } url)
            {
                attachments.Add(new MessageAttachment
                {
                    ContentType = String(item, "type") switch { "photo" => "image/*", "video" => "video/*", "animated_gif" => "image/gif", _ => "application/octet-stream" },
                    Url = url,
                });
            }
        }
        // X escapes &, < and > in a post's text
        text = text.Replace("&lt;", "<", StringComparison.Ordinal).Replace("&gt;", ">", StringComparison.Ordinal).Replace("&amp;", "&", StringComparison.Ordinal);
        return (text.Trim(), attachments);
    }

    /// <summary>The part display_text_range shows ([start, end) in code points): a reply's leading @names are outside it.</summary>
    private static string Shown(string text, JsonElement source)
    {
        if (!source.TryGetProperty("display_text_range", out var range) || range.ValueKind != JsonValueKind.Array || range.GetArrayLength() != 2
            || !range[0].TryGetInt32(out var start) || !range[1].TryGetInt32(out var end) || start < 0 || end < start)
        {
            return text;
        }
        var shown = new StringBuilder();
        var at = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            if (at >= start && at < end)
            {
                shown.Append(rune.ToString());
            }
            at++;
        }
        return shown.ToString();
    }

    /// <summary>timestamp_ms (Unix milliseconds, a string), else created_at ("Wed Oct 10 20:19:24 +0000 2018").</summary>
    private static DateTimeOffset? Time(JsonElement tweet) =>
        Scalar(tweet, "timestamp_ms") is { } raw && long.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var ms) ? UnixTime.FromMilliseconds(ms)
        : String(tweet, "created_at") is { } created && DateTimeOffset.TryParseExact(created, "ddd MMM dd HH:mm:ss zzz yyyy", CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal, out var at) ? at.ToUniversalTime()
        : null;
}
