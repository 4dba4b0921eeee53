using System.Globalization;
using System.Text.Json;
using Routing.Adapters.Webhooks;
using Routing.Contracts;
using static Routing.Adapters.Webhooks.JsonPayload;

namespace Routing.Adapters.Meta;

/// <summary>
/// The public side of a Meta webhook: an entry's "changes" (Graph API webhooks), which a Page sends for its feed (field
/// "feed": comments under its posts, and posts visitors write on it) and an Instagram account for comments on its media
/// (fields "comments" and "live_comments"). Each new comment or visitor post is a public message of its author; edits,
/// removals, likes, reactions and shares are not messages, nor is anything the Page or the account wrote itself (our
/// public replies, echoed back). References: https://developers.facebook.com/docs/graph-api/webhooks/reference/page/#feed
/// and https://developers.facebook.com/docs/instagram-platform/webhooks/examples.
/// </summary>
/// <remarks>
/// A Facebook commenter is named by the id the Page's feed gives them (address kind "facebook-user"), which is not the
/// Page-scoped id their Messenger messages come from: Meta tells which Messenger id is theirs only when a private reply
/// reaches them. An Instagram commenter's id is the Instagram-scoped id their direct messages come from, so they are the
/// same customer at once. Instagram's "mentions" field carries only a media and comment id, no words or author: it needs
/// a Graph API call and is not read here.
/// </remarks>
public static class PublicChanges
{
    /// <summary>The address kind of a Facebook user as a Page's feed names them.</summary>
    public const string FacebookUser = "facebook-user";

    /// <summary>The entry's changes that are public messages; a malformed one is skipped with the field at fault.</summary>
    public static void Read(MessagingProduct product, JsonElement entry, string path, DateTimeOffset receivedAt, List<InboundMessageReceived> messages,
        List<SkippedItem> skipped)
    {
        var changes = Optional(entry, "changes");
        if (changes.Count == 0)
        {
            return;
        }
        var account = RequiredString(entry, "id", path);
        foreach (var (change, c) in changes.Select((x, i) => (x, i)))
        {
            var at = $"{path}.changes[{c}]";
            SkippedItem.Try(skipped, () =>
            {
                var message = (String(change, "field"), Object(change, "value")) switch
                {
                    ("feed", { } value) when product.Channel == Channels.Facebook => Feed(value, account, $"{at}.value", receivedAt),
                    ("comments" or "live_comments", { } value) when product.Channel == Channels.Instagram =>
                        Comment(value, account, $"{at}.value", Time(entry, "time") ?? receivedAt, receivedAt),
                    _ => null,
                };
                if (message is not null)
                {
                    messages.Add(message);
                }
            });
        }
    }

    /// <summary>A Page feed change: a new comment under a post (or under a comment), or a post a visitor wrote on the Page.</summary>
    private static InboundMessageReceived? Feed(JsonElement value, string page, string path, DateTimeOffset receivedAt)
    {
        var item = String(value, "item");
        if (String(value, "verb") != "add" || item is not ("comment" or "post" or "status" or "photo" or "video"))
        {
            return null; // an edit, a removal, a hidden comment, a like, a reaction, a share
        }
        var from = Object(value, "from") ?? throw new MalformedWebhookException($"{path}.from", "is required");
        var author = RequiredString(from, "id", $"{path}.from");
        if (author == page)
        {
            return null; // the Page's own comment or post: one of our public replies
        }
        var postId = RequiredString(value, "post_id", path);
        var isComment = item == "comment";
        var id = isComment ? RequiredString(value, "comment_id", path) : postId;
        var parent = String(value, "parent_id");
        var attachments = new List<MessageAttachment>();
        if (String(value, "photo") is { Length: > 0 } photo)
        {
            attachments.Add(new MessageAttachment { ContentType = "image/*", Url = photo });
        }
        var post = Object(value, "post");
        return Public(Channels.Facebook, page, id, new CustomerAddress { Kind = FacebookUser, Value = author, DisplayName = String(from, "name") },
            String(value, "message"), attachments, Time(value, "created_time") ?? receivedAt, receivedAt, new PublicPost
            {
                PostId = postId,
                Permalink = post is { } p && String(p, "permalink_url") is { } link && link.StartsWith("https://", StringComparison.Ordinal) ? link : null,
                // a comment on the post itself names the post as its parent; only a reply to a comment has a parent of its own
                ParentId = isComment && parent is { Length: > 0 } && parent != postId ? parent : null,
                Kind = isComment ? "comment" : "post",
            });
    }

    /// <summary>A comment on the Instagram account's media (a post, a reel, a live video), or a reply to a comment there.</summary>
    private static InboundMessageReceived? Comment(JsonElement value, string account, string path, DateTimeOffset at, DateTimeOffset receivedAt)
    {
        var id = RequiredString(value, "id", path);
        var from = Object(value, "from") ?? throw new MalformedWebhookException($"{path}.from", "is required");
        var author = RequiredString(from, "id", $"{path}.from");
        if (author == account)
        {
            return null; // the account's own comment: one of our public replies
        }
        var media = Object(value, "media") ?? throw new MalformedWebhookException($"{path}.media", "is required");
        var username = String(from, "username");
        var message = Public(Channels.Instagram, account, id, new CustomerAddress { Kind = "instagram", Value = author, DisplayName = username },
            String(value, "text"), [], at, receivedAt, new PublicPost
            {
                PostId = RequiredString(media, "id", $"{path}.media"),
                ParentId = String(value, "parent_id") is { Length: > 0 } parent ? parent : null,
                Kind = "comment",
            });
        var metadata = new Dictionary<string, string>();
        if (username is not null)
        {
            metadata["username"] = username;
        }
        if (String(media, "media_product_type") is { } surface)
        {
            metadata["media_product_type"] = surface;
        }
        return message with { Metadata = metadata };
    }

    private static InboundMessageReceived Public(string channel, string account, string id, CustomerAddress sender, string? text,
        IReadOnlyList<MessageAttachment> attachments, DateTimeOffset at, DateTimeOffset receivedAt, PublicPost post) => new()
    {
        MessageId = MessageIds.ForInbound(channel, id),
        Channel = channel,
        ChannelAccount = account,
        ProviderMessageId = id,
        Sender = sender,
        ThreadKey = post.PostId,
        Text = string.IsNullOrEmpty(text) ? null : text,
        Attachments = attachments,
        ProviderTimestamp = at,
        ReceivedAt = receivedAt,
        ReplyToProviderMessageId = post.ParentId ?? (post.Kind == "comment" ? post.PostId : null),
        Visibility = MessageVisibility.Public,
        Post = post,
    };

    /// <summary>Graph webhooks give Unix seconds (created_time, an entry's time); a value past 10^11 is milliseconds.</summary>
    private static DateTimeOffset? Time(JsonElement element, string property) =>
        Number(element, property) is { } raw && long.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value < 100_000_000_000 ? UnixTime.FromSeconds(value) : UnixTime.FromMilliseconds(value)
            : null;
}
