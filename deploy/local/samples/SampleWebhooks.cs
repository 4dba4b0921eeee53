using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Routing.Samples;

/// <summary>
/// Signed webhook deliveries as the providers send them, for the local stack (make run's story, the end to
/// end tests, the ingestion benchmark). Signed here the provider's way, independently of the adapters'
/// own verification code.
/// </summary>
public static class SampleWebhooks
{
    /// <summary>An incoming SMS to POST {publicBaseUrl}/webhooks/sms/twilio, with X-Twilio-Signature.</summary>
    /// <param name="media">an MMS's media: Twilio's URL of each (<see cref="SampleMedia.TwilioMediaUrl"/>) and its type</param>
    public static HttpRequestMessage TwilioSms(string publicBaseUrl, string authToken, string messageSid, string from, string to, string text,
        IReadOnlyList<(string Url, string ContentType)>? media = null)
    {
        var url = publicBaseUrl.TrimEnd('/') + "/webhooks/sms/twilio";
        var form = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["AccountSid"] = "ACdev00000000000000000000000000000",
            ["ApiVersion"] = "2010-04-01",
            ["Body"] = text,
            ["From"] = from,
            ["MessageSid"] = messageSid,
            ["NumMedia"] = (media?.Count ?? 0).ToString(CultureInfo.InvariantCulture),
            ["NumSegments"] = "1",
            ["SmsMessageSid"] = messageSid,
            ["SmsSid"] = messageSid,
            ["SmsStatus"] = "received",
            ["To"] = to,
        };
        for (var i = 0; i < (media?.Count ?? 0); i++)
        {
            form[$"MediaUrl{i}"] = media![i].Url;
            form[$"MediaContentType{i}"] = media[i].ContentType;
        }
        // Twilio: base64 HMAC-SHA1, keyed by the auth token, of the URL followed by every parameter name and value in name order.
        var signed = url + string.Concat(form.Select(p => p.Key + p.Value));
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Add("X-Twilio-Signature", Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(authToken), Encoding.UTF8.GetBytes(signed))));
        return request;
    }

    /// <summary>A WhatsApp Cloud API text message to POST {publicBaseUrl}/webhooks/whatsapp, with X-Hub-Signature-256.</summary>
    public static HttpRequestMessage WhatsAppText(string publicBaseUrl, string appSecret, string wamid, string waId, string name, string text,
        string displayPhoneNumber = "15550783881", string phoneNumberId = "106540352242922") =>
        WhatsApp(publicBaseUrl, appSecret, waId, name, displayPhoneNumber, phoneNumberId, new
        {
            from = waId, id = wamid, type = "text", text = new { body = text },
            timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
        });

    /// <summary>A WhatsApp Cloud API image message (the media's id, its type, a caption) to POST {publicBaseUrl}/webhooks/whatsapp.</summary>
    public static HttpRequestMessage WhatsAppImage(string publicBaseUrl, string appSecret, string wamid, string waId, string name, string mediaId, string caption,
        string displayPhoneNumber = "15550783881", string phoneNumberId = "106540352242922") =>
        WhatsApp(publicBaseUrl, appSecret, waId, name, displayPhoneNumber, phoneNumberId, new
        {
            from = waId, id = wamid, type = "image", image = new { caption, mime_type = "image/jpeg", sha256 = "", id = mediaId },
            timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
        });

    /// <summary>One message from <paramref name="waId"/> in the Cloud API's webhook envelope, signed.</summary>
    private static HttpRequestMessage WhatsApp(string publicBaseUrl, string appSecret, string waId, string name, string displayPhoneNumber, string phoneNumberId,
        object message) =>
        MetaSigned(publicBaseUrl.TrimEnd('/') + "/webhooks/whatsapp", appSecret, new
        {
            @object = "whatsapp_business_account",
            entry = new[]
            {
                new
                {
                    id = "102290129340398",
                    changes = new[]
                    {
                        new
                        {
                            value = new
                            {
                                messaging_product = "whatsapp",
                                metadata = new { display_phone_number = displayPhoneNumber, phone_number_id = phoneNumberId },
                                contacts = new[] { new { profile = new { name }, wa_id = waId } },
                                messages = new[] { message },
                            },
                            field = "messages",
                        },
                    },
                },
            },
        });

    /// <summary>A Messenger text message to POST {publicBaseUrl}/webhooks/facebook, with X-Hub-Signature-256.</summary>
    public static HttpRequestMessage MessengerText(string publicBaseUrl, string appSecret, string mid, string psid, string text, string pageId = "1353269864728879")
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        return MetaSigned(publicBaseUrl.TrimEnd('/') + "/webhooks/facebook", appSecret, new
        {
            @object = "page",
            entry = new[]
            {
                new
                {
                    id = pageId,
                    time = now,
                    messaging = new[] { new { sender = new { id = psid }, recipient = new { id = pageId }, timestamp = now, message = new { mid, text } } },
                },
            },
        });
    }

    /// <summary>
    /// A comment under the Page's post (the Page's "feed" field: item comment, verb add), as Meta delivers it to POST
    /// {publicBaseUrl}/webhooks/facebook, with X-Hub-Signature-256. The author is named by the id the feed gives them.
    /// </summary>
    public static HttpRequestMessage FacebookComment(string publicBaseUrl, string appSecret, string commentId, string postId, string authorId, string name,
        string message, string pageId = "1353269864728879")
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        return MetaSigned(publicBaseUrl.TrimEnd('/') + "/webhooks/facebook", appSecret, new
        {
            @object = "page",
            entry = new[]
            {
                new
                {
                    id = pageId,
                    time = now,
                    changes = new[]
                    {
                        new
                        {
                            field = "feed",
                            value = new
                            {
                                from = new { id = authorId, name },
                                post = new { status_type = "added_photos", is_published = true, permalink_url = $"https://www.facebook.com/{pageId}/posts/{postId.Split('_')[^1]}", id = postId },
                                message,
                                post_id = postId,
                                comment_id = commentId,
                                created_time = now,
                                item = "comment",
                                parent_id = postId,
                                verb = "add",
                            },
                        },
                    },
                },
            },
        });
    }

    /// <summary>An Instagram direct message to POST {publicBaseUrl}/webhooks/instagram, with X-Hub-Signature-256.</summary>
    public static HttpRequestMessage InstagramText(string publicBaseUrl, string appSecret, string mid, string igsid, string text, string account = "17841405309211844")
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        return MetaSigned(publicBaseUrl.TrimEnd('/') + "/webhooks/instagram", appSecret, new
        {
            @object = "instagram",
            entry = new[]
            {
                new
                {
                    id = account,
                    time = now,
                    messaging = new[] { new { sender = new { id = igsid }, recipient = new { id = account }, timestamp = now, message = new { mid, text } } },
                },
            },
        });
    }

    /// <summary>
    /// A Telegram update carrying one private message to POST {publicBaseUrl}/webhooks/telegram, with the webhook's secret token in
    /// X-Telegram-Bot-Api-Secret-Token; <paramref name="photoFileId"/> adds a photo (Telegram's file id, the text its caption).
    /// </summary>
    public static HttpRequestMessage TelegramText(string publicBaseUrl, string secretToken, long updateId, long messageId, long userId, string firstName,
        string? lastName, string? username, string text, string? photoFileId = null)
    {
        var from = new Dictionary<string, object?> { ["id"] = userId, ["is_bot"] = false, ["first_name"] = firstName, ["last_name"] = lastName, ["username"] = username };
        var chat = new Dictionary<string, object?> { ["id"] = userId, ["first_name"] = firstName, ["last_name"] = lastName, ["username"] = username, ["type"] = "private" };
        var message = new Dictionary<string, object?>
        {
            ["message_id"] = messageId, ["from"] = Present(from), ["chat"] = Present(chat), ["date"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
        };
        if (photoFileId is null)
        {
            message["text"] = text;
        }
        else
        {
            message["photo"] = new[] { new { file_id = photoFileId, file_unique_id = "u" + photoFileId, file_size = 68, width = 1, height = 1 } };
            message["caption"] = text;
        }
        var request = new HttpRequestMessage(HttpMethod.Post, publicBaseUrl.TrimEnd('/') + "/webhooks/telegram")
        {
            Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object> { ["update_id"] = updateId, ["message"] = message })),
        };
        request.Content.Headers.ContentType = new("application/json");
        // Telegram signs nothing: setWebhook's secret_token comes back in this header with every update.
        request.Headers.Add("X-Telegram-Bot-Api-Secret-Token", secretToken);
        return request;
    }

    /// <summary>The fields that have a value: Telegram leaves out what a user did not set (a last name, a username).</summary>
    private static Dictionary<string, object?> Present(Dictionary<string, object?> fields) => fields.Where(f => f.Value is not null).ToDictionary();

    /// <summary>
    /// An Account Activity delivery of one post mentioning the subscribed account (tweet_create_events, a v1.1 Tweet object with
    /// user_has_blocked), or replying to its post <paramref name="inReplyTo"/>, to POST {publicBaseUrl}/webhooks/twitter, signed
    /// as X signs it. A reply's leading @name is outside display_text_range, as X sends it.
    /// </summary>
    public static HttpRequestMessage TwitterMention(string publicBaseUrl, string consumerSecret, string tweetId, string authorId, string name, string screenName,
        string text, string account = "4337869213", string accountScreenName = "AcmeHelp", string? inReplyTo = null)
    {
        var full = $"@{accountScreenName} {text}";
        var prefix = accountScreenName.Length + 2;
        var tweet = new Dictionary<string, object?>
        {
            ["created_at"] = DateTimeOffset.UtcNow.ToString("ddd MMM dd HH:mm:ss +0000 yyyy", CultureInfo.InvariantCulture),
            ["id"] = long.Parse(tweetId, CultureInfo.InvariantCulture),
            ["id_str"] = tweetId,
            ["text"] = full,
            ["display_text_range"] = new[] { inReplyTo is null ? 0 : prefix, full.EnumerateRunes().Count() },
            ["truncated"] = false,
            ["in_reply_to_status_id"] = inReplyTo is null ? null : long.Parse(inReplyTo, CultureInfo.InvariantCulture),
            ["in_reply_to_status_id_str"] = inReplyTo,
            ["in_reply_to_user_id_str"] = inReplyTo is null ? null : account,
            ["in_reply_to_screen_name"] = inReplyTo is null ? null : accountScreenName,
            ["user"] = new { id = long.Parse(authorId, CultureInfo.InvariantCulture), id_str = authorId, name, screen_name = screenName, @protected = false },
            ["is_quote_status"] = false,
            ["entities"] = new
            {
                hashtags = Array.Empty<object>(), urls = Array.Empty<object>(), symbols = Array.Empty<object>(),
                user_mentions = new[] { new { screen_name = accountScreenName, name = accountScreenName, id = long.Parse(account, CultureInfo.InvariantCulture), id_str = account, indices = new[] { 0, prefix - 1 } } },
            },
            ["lang"] = "en",
            ["timestamp_ms"] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
        };
        var body = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["for_user_id"] = account,
            ["user_has_blocked"] = "false",
            ["tweet_create_events"] = new[] { tweet },
        });
        return TwitterSigned(publicBaseUrl, consumerSecret, body);
    }

    /// <summary>
    /// An Account Activity delivery of one direct message to POST {publicBaseUrl}/webhooks/twitter, with
    /// x-twitter-webhooks-signature; <paramref name="account"/> is the subscribed account (for_user_id).
    /// </summary>
    public static HttpRequestMessage TwitterDm(string publicBaseUrl, string consumerSecret, string eventId, string senderId, string name, string screenName,
        string text, string account = "4337869213")
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["for_user_id"] = account,
            ["direct_message_events"] = new[]
            {
                new
                {
                    type = "message_create",
                    id = eventId,
                    created_timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
                    message_create = new
                    {
                        target = new { recipient_id = account },
                        sender_id = senderId,
                        message_data = new { text, entities = new { hashtags = Array.Empty<object>(), symbols = Array.Empty<object>(), urls = Array.Empty<object>(), user_mentions = Array.Empty<object>() } },
                    },
                },
            },
            ["users"] = new Dictionary<string, object> { [senderId] = new { id = senderId, name, screen_name = screenName } },
        });
        return TwitterSigned(publicBaseUrl, consumerSecret, body);
    }

    /// <summary>An Account Activity delivery to POST {publicBaseUrl}/webhooks/twitter: X signs it "sha256=" and the base64 HMAC-SHA256 of the raw body, keyed by the consumer secret.</summary>
    private static HttpRequestMessage TwitterSigned(string publicBaseUrl, string consumerSecret, byte[] body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, publicBaseUrl.TrimEnd('/') + "/webhooks/twitter") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Add("x-twitter-webhooks-signature", "sha256=" + Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(consumerSecret), body)));
        return request;
    }

    /// <summary>
    /// A mail as Mailgun's inbound route forwards it, parsed, to POST {publicBaseUrl}/webhooks/email/mailgun, signed
    /// with "signature" = hex HMAC-SHA256 of timestamp + token keyed by the signing key, with Mailgun's SPF verdict for
    /// the envelope sender (Pass: the From is verified; spf: null leaves the verdict out, a From anybody could write).
    /// </summary>
    public static HttpRequestMessage MailgunEmail(string publicBaseUrl, string signingKey, string messageId, string from, string name, string subject,
        string text, string recipient = "support@example.com", string? spf = "Pass")
    {
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(25));
        var headers = JsonSerializer.Serialize(new[]
        {
            new[] { "Date", DateTimeOffset.UtcNow.ToString("r", CultureInfo.InvariantCulture) },
            new[] { "Message-Id", $"<{messageId}>" },
            new[] { "Subject", subject },
            new[] { "From", $"{name} <{from}>" },
            new[] { "To", recipient },
        });
        var form = new Dictionary<string, string>
        {
            ["recipient"] = recipient, ["sender"] = from, ["from"] = $"{name} <{from}>", ["subject"] = subject,
            ["body-plain"] = text, ["stripped-text"] = text, ["message-headers"] = headers,
            ["timestamp"] = timestamp, ["token"] = token,
            ["signature"] = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(signingKey), Encoding.UTF8.GetBytes(timestamp + token))),
        };
        if (spf is not null)
        {
            form["X-Mailgun-Spf"] = spf;
        }
        return new HttpRequestMessage(HttpMethod.Post, publicBaseUrl.TrimEnd('/') + "/webhooks/email/mailgun") { Content = new FormUrlEncodedContent(form) };
    }

    /// <summary>
    /// An agent's reply in a Slack thread as Slack's Events API delivers it to the agent gateway (a message event with
    /// thread_ts), signed with the app's signing secret.
    /// </summary>
    public static HttpRequestMessage SlackThreadReply(string gatewayBaseUrl, string signingSecret, string channel, string user, string text, string ts,
        string threadTs) =>
        SlackSigned(gatewayBaseUrl.TrimEnd('/') + "/slack/events", JsonSerializer.Serialize(new
        {
            token = "unused", team_id = "T0001", api_app_id = "A0001", type = "event_callback", event_id = "Ev" + Guid.NewGuid().ToString("N")[..10],
            event_time = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            @event = new { type = "message", channel, user, text, ts, thread_ts = threadTs, channel_type = channel.StartsWith('D') ? "im" : "channel", event_ts = ts },
        }), "application/json", signingSecret);

    /// <summary>
    /// An agent's file shared in a Slack thread (a message event of subtype file_share, its files as Slack describes them:
    /// https://api.slack.com/types/file), with <paramref name="text"/> as the message; signed with the app's signing secret.
    /// </summary>
    public static HttpRequestMessage SlackFileShare(string gatewayBaseUrl, string signingSecret, string channel, string user, string text, string ts,
        string threadTs, string fileId, string name, string mimeType, long size, string downloadUrl) =>
        SlackSigned(gatewayBaseUrl.TrimEnd('/') + "/slack/events", JsonSerializer.Serialize(new
        {
            token = "unused", team_id = "T0001", api_app_id = "A0001", type = "event_callback", event_id = "Ev" + Guid.NewGuid().ToString("N")[..10],
            event_time = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            @event = new
            {
                type = "message", subtype = "file_share", channel, user, text, ts, thread_ts = threadTs, upload = false, display_as_bot = false,
                channel_type = channel.StartsWith('D') ? "im" : "channel", event_ts = ts,
                files = new[]
                {
                    new
                    {
                        id = fileId, created = DateTimeOffset.UtcNow.ToUnixTimeSeconds(), name, title = name, mimetype = mimeType,
                        filetype = Path.GetExtension(name).TrimStart('.'), user, size, mode = "hosted", is_external = false,
                        url_private = downloadUrl.Replace("/download/", "/", StringComparison.Ordinal), url_private_download = downloadUrl,
                    },
                },
            },
        }), "application/json", signingSecret);

    /// <summary>
    /// A button of the gateway's pressed in Slack (an interactivity request, block_actions), on a message (its channel and
    /// ts) or, with neither, on the app's Home tab; signed with the app's signing secret.
    /// </summary>
    public static HttpRequestMessage SlackButton(string gatewayBaseUrl, string signingSecret, string user, string actionId, string value,
        string? channel = null, string? messageTs = null, string triggerId = "trigger-1")
    {
        object container = channel is null
            ? new { type = "view", view_id = "V0HOME" }
            : new { type = "message", message_ts = messageTs, channel_id = channel, is_ephemeral = false };
        var payload = JsonSerializer.Serialize(new
        {
            type = "block_actions", user = new { id = user, username = user, team_id = "T0001" }, api_app_id = "A0001", trigger_id = triggerId, container,
            message = channel is null ? null : new { type = "message", ts = messageTs, text = "", blocks = Array.Empty<object>() },
            actions = new[] { new { action_id = actionId, value, type = "button", action_ts = $"{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}.000001" } },
        });
        return SlackSigned(gatewayBaseUrl.TrimEnd('/') + "/slack/interactivity", "payload=" + Uri.EscapeDataString(payload),
            "application/x-www-form-urlencoded", signingSecret);
    }

    /// <summary>The gateway's transfer form submitted in Slack (view_submission): to an agent ("ben") or a team ("team:billing").</summary>
    public static HttpRequestMessage SlackTransferForm(string gatewayBaseUrl, string signingSecret, string user, Guid conversationId, string to, bool warm,
        string? note) =>
        SlackFormSubmitted(gatewayBaseUrl, signingSecret, user, "conversation.transfer", conversationId, new Dictionary<string, object>
        {
            ["to"] = new { to = new { type = "plain_text_input", value = to } },
            ["warm"] = new { warm = new { type = "checkboxes", selected_options = warm ? new[] { new { value = "warm" } } : [] } },
            ["note"] = new { note = new { type = "plain_text_input", value = note } },
        });

    /// <summary>The note form (Note… on a conversation's message) submitted: a note on the customer and tags ("vip, -old" removes old).</summary>
    public static HttpRequestMessage SlackNoteForm(string gatewayBaseUrl, string signingSecret, string user, Guid conversationId, string? note, string? tags,
        string? name = null) =>
        SlackFormSubmitted(gatewayBaseUrl, signingSecret, user, "customer.note", conversationId, new Dictionary<string, object>
        {
            ["note"] = new { note = new { type = "plain_text_input", value = note } },
            ["tags"] = new { tags = new { type = "plain_text_input", value = tags } },
            ["name"] = new { name = new { type = "plain_text_input", value = name } },
        });

    /// <summary>The follow-up form (Follow up… on a conversation's opening) submitted: what the customer is asked, and in how many days.</summary>
    public static HttpRequestMessage SlackFollowUpForm(string gatewayBaseUrl, string signingSecret, string user, Guid conversationId, string? text, string? days) =>
        SlackFormSubmitted(gatewayBaseUrl, signingSecret, user, "conversation.follow-up", conversationId, new Dictionary<string, object>
        {
            ["text"] = new { text = new { type = "plain_text_input", value = text } },
            ["days"] = new { days = new { type = "plain_text_input", value = days } },
        });

    /// <summary>One of the gateway's forms (a modal opened for a conversation) submitted, as Slack posts it: each input block's state by its id.</summary>
    private static HttpRequestMessage SlackFormSubmitted(string gatewayBaseUrl, string signingSecret, string user, string callbackId, Guid conversationId,
        Dictionary<string, object> values)
    {
        var payload = JsonSerializer.Serialize(new
        {
            type = "view_submission", user = new { id = user, username = user, team_id = "T0001" }, api_app_id = "A0001", trigger_id = "trigger-2",
            view = new { id = "V0FORM", type = "modal", callback_id = callbackId, private_metadata = conversationId.ToString(), state = new { values } },
        });
        return SlackSigned(gatewayBaseUrl.TrimEnd('/') + "/slack/interactivity", "payload=" + Uri.EscapeDataString(payload),
            "application/x-www-form-urlencoded", signingSecret);
    }

    /// <summary>
    /// A request from Slack: X-Slack-Request-Timestamp, and X-Slack-Signature "v0=" and the hex HMAC-SHA256 of
    /// "v0:{timestamp}:{body}" keyed by the app's signing secret (Slack's "Verifying requests from Slack").
    /// </summary>
    public static HttpRequestMessage SlackSigned(string url, string body, string contentType, string signingSecret, DateTimeOffset? at = null)
    {
        var timestamp = (at ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.UTF8, contentType) };
        request.Headers.Add("X-Slack-Request-Timestamp", timestamp);
        request.Headers.Add("X-Slack-Signature",
            "v0=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(signingSecret), Encoding.UTF8.GetBytes($"v0:{timestamp}:{body}"))));
        return request;
    }

    private static HttpRequestMessage MetaSigned(string url, string appSecret, object payload)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(payload);
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        // Meta: "sha256=" and the hex HMAC-SHA256 of the raw body, keyed by the app secret.
        request.Headers.Add("X-Hub-Signature-256", "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(appSecret), body)));
        return request;
    }
}
