using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Routing.Adapters.Outbound;
using Routing.Adapters.Webhooks;
using Routing.Contracts;
using static Routing.Adapters.Webhooks.JsonPayload;

namespace Routing.Adapters.Twitter.AccountActivity;

/// <summary>
/// Account Activity API deliveries for a subscribed account (for_user_id): direct_message_events of type
/// message_create become messages, with the sender's name from the users map; the account's own DMs (ours,
/// echoed back) are ignored; tweet_create_events (mentions, replies and quotes) become public messages
/// (<see cref="TweetEvents"/>); direct_message_mark_read_events from a customer become "read" statuses; a
/// user_event revoke marks the channel degraded. Other activity (likes, follows, typing) is acknowledged
/// and not published. References: https://docs.x.com/x-api/enterprise-gnip-2.0/fundamentals/account-activity and
/// the message_create object (https://developer.x.com/en/docs/direct-messages/sending-and-receiving/guides/message-create-object).
/// </summary>
internal sealed class AccountActivityWebhook(IOptions<TwitterOptions> options, ChannelHealth health) : IChannelWebhook
{
    public string Channel => Channels.Twitter;

    public IReadOnlyCollection<string> MediaTypes { get; } = ["application/json"];

    public (string Body, string ContentType) Acknowledgement => ("", "text/plain");

    public SignatureCheck Verify(WebhookRequest request) =>
        ProviderSecrets.Verify(options.Value.ConsumerSecret, options.Value.PreviousConsumerSecrets, secret => TwitterSignature.Verify(secret, request));

    public WebhookContent Parse(WebhookRequest request, DateTimeOffset receivedAt)
    {
        using var document = JsonPayload.Parse(request.Body);
        var root = document.RootElement;
        var account = root.ValueKind == JsonValueKind.Object ? String(root, "for_user_id") : null;
        if (string.IsNullOrEmpty(account))
        {
            throw new MalformedWebhookException("for_user_id", "is required");
        }
        var users = Object(root, "users");
        var messages = new List<InboundMessageReceived>();
        foreach (var (dm, i) in Optional(root, "direct_message_events").Select((x, i) => (x, i)))
        {
            var path = $"direct_message_events[{i}]";
            if (String(dm, "type") != "message_create")
            {
                continue;
            }
            var id = RequiredString(dm, "id", path);
            var create = Object(dm, "message_create") ?? throw new MalformedWebhookException($"{path}.message_create", "is required");
            var sender = RequiredString(create, "sender_id", $"{path}.message_create");
            if (sender == account)
            {
                continue; // the account's own DM: our reply (or one written in X's app) echoed back
            }
            messages.Add(Message(dm, create, id, sender, account, users, receivedAt));
        }
        messages.AddRange(TweetEvents.Parse(root, account, receivedAt));

        var statuses = new List<DeliveryStatusChanged>();
        foreach (var (read, i) in Optional(root, "direct_message_mark_read_events").Select((x, i) => (x, i)))
        {
            var reader = RequiredString(read, "sender_id", $"direct_message_mark_read_events[{i}]");
            if (reader == account || String(read, "last_read_event_id") is not { Length: > 0 } lastRead)
            {
                continue; // the account read the customer's messages: nothing about ours
            }
            statuses.Add(new DeliveryStatusChanged
            {
                Channel = Channels.Twitter,
                ChannelAccount = account,
                ProviderMessageId = lastRead,
                Recipient = new CustomerAddress { Kind = "twitter", Value = reader },
                Status = "read",
                OccurredAt = Time(read) ?? receivedAt,
            });
        }

        if (Object(root, "user_event") is { } userEvent && Object(userEvent, "revoke") is { } revoke)
        {
            var at = DateTimeOffset.TryParse(String(revoke, "date_time"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var when) ? when : receivedAt;
            health.AccessRevoked(Object(revoke, "source") is { } source ? String(source, "user_id") ?? account : account, at);
        }
        return new WebhookContent(messages, statuses);
    }

    private static InboundMessageReceived Message(JsonElement dm, JsonElement create, string id, string sender, string account, JsonElement? users, DateTimeOffset receivedAt)
    {
        var data = Object(create, "message_data");
        var metadata = new Dictionary<string, string>();
        var user = users is { } map ? Object(map, sender) : null;
        if (user is { } u && String(u, "screen_name") is { } screenName)
        {
            metadata["screen_name"] = screenName;
        }
        if (data is { } d && Object(d, "quick_reply_response") is { } quickReply && String(quickReply, "metadata") is { } payload)
        {
            metadata["quick_reply_metadata"] = payload;
        }
        if (Object(dm, "initiated_via") is { } via && String(via, "tweet_id") is { } tweet)
        {
            metadata["initiated_via_tweet_id"] = tweet;
        }

        var attachments = new List<MessageAttachment>();
        var text = data is { } body ? String(body, "text") : null;
        if (data is { } withAttachment && Object(withAttachment, "attachment") is { } attachment && Object(attachment, "media") is { } media)
        {
            var type = String(media, "type");
            // X puts the media's t.co link at the end of the text; the attachment carries it instead.
            if (String(media, "url") is { Length: > 0 } link && text is not null)
            {
                text = text.Replace(link, "", StringComparison.Ordinal).TrimEnd();
            }
            if (String(media, "media_url_https") is { } url)
            {
                attachments.Add(new MessageAttachment
                {
                    ContentType = type switch { "photo" => "image/*", "video" => "video/*", "animated_gif" => "image/gif", _ => "application/octet-stream" },
                    // DM media is served only with the account's OAuth 1.0a signature.
                    Url = url,
                });
            }
        }
        if (data is { } withEntities && Object(withEntities, "entities") is { } entities && text is not null)
        {
            foreach (var link in Optional(entities, "urls"))
            {
                if (String(link, "url") is { Length: > 0 } shortened && String(link, "expanded_url") is { Length: > 0 } expanded)
                {
                    text = text.Replace(shortened, expanded, StringComparison.Ordinal);
                }
            }
        }
        return new InboundMessageReceived
        {
            MessageId = MessageIds.ForInbound(Channels.Twitter, id),
            Channel = Channels.Twitter,
            ChannelAccount = account,
            ProviderMessageId = id,
            // The user id: stable across screen-name changes.
            Sender = new CustomerAddress { Kind = "twitter", Value = sender, DisplayName = user is { } named ? String(named, "name") : null },
            Text = string.IsNullOrEmpty(text) ? null : text,
            Attachments = attachments,
            ProviderTimestamp = Time(dm) ?? receivedAt,
            ReceivedAt = receivedAt,
            Metadata = metadata,
        };
    }

    /// <summary>created_timestamp: Unix milliseconds, as a string.</summary>
    private static DateTimeOffset? Time(JsonElement element) =>
        Scalar(element, "created_timestamp") is { } raw && long.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
            ? UnixTime.FromMilliseconds(ms) : null;
}
