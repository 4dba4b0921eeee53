using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Routing.Adapters.Outbound;
using Routing.Contracts;

namespace Routing.Adapters.Twitter.AccountActivity;

/// <summary>
/// Sends through X API v2 as the account the customer wrote to (OAuth 1.0a user context, signed per attempt by
/// <see cref="OAuth1SigningHandler"/>). A private message is a direct message, POST /2/dm_conversations/with/{participant_id}/messages
/// with {"text"}; the answer's data.dm_event_id is the provider message id. A public one is a post in reply to the customer's,
/// POST /2/tweets with {"text", "reply": {"in_reply_to_tweet_id"}} (X puts the @name of whom it answers before the text, outside
/// the 280 it counts); the answer's data.id is the provider message id. A public reply longer than X counts
/// (<see cref="PublicReplies"/>) is refused, not cut. A 429 whose x-rate-limit-reset is within
/// Twitter:MaxRateLimitWait is sent again after the reset; a later reset fails as transient "rate-limited".
/// 401 and 403 are permanent; every final status feeds the channel's health. A photo (one per message) is fetched from the
/// gateway and uploaded first (POST /2/media/upload, media_category dm_image), then named in the message's attachments.
/// </summary>
internal sealed class XSender(HttpClient http, IOptions<TwitterOptions> options, ChannelHealth health, FileDownloads downloads,
    TimeProvider time, ILogger<XSender> logger) : IChannelSender
{
    public const string RateLimited = "rate-limited";

    public string Channel => Channels.Twitter;

    public async Task<SendOutcome> SendAsync(SendChannelMessage command, CancellationToken ct)
    {
        var config = options.Value;
        if (!config.Accounts.TryGetValue(command.ChannelAccount, out var account) || string.IsNullOrEmpty(account.AccessToken) || string.IsNullOrEmpty(account.AccessTokenSecret))
        {
            return SendOutcome.Failed("not-configured", $"No Twitter:Accounts:{command.ChannelAccount} access token and secret; this account cannot send.", permanent: true);
        }
        var isPublic = command.Visibility == MessageVisibility.Public;
        if (isPublic && string.IsNullOrEmpty(command.ReplyToProviderMessageId))
        {
            return SendOutcome.Failed("no-post", "A public reply on X answers a post: replyToProviderMessageId is required.", permanent: true);
        }
        if (isPublic && PublicReplies.Refusal(Channels.Twitter, command.Text) is { } tooLong)
        {
            return SendOutcome.Failed("too-long", $"Not posted: {tooLong}.", permanent: true);
        }
        var url = new Uri(isPublic
            ? $"{config.ApiBaseUrl.TrimEnd('/')}/2/tweets"
            : $"{config.ApiBaseUrl.TrimEnd('/')}/2/dm_conversations/with/{Uri.EscapeDataString(command.To.Value)}/messages");
        var giveUpAt = time.GetUtcNow() + config.MaxRateLimitWait;
        string? mediaId = null;
        if (command.Attachments.Count > 0)
        {
            var (files, failure) = await downloads.DownloadAsync(command.Attachments, MaxPhotoBytes, ct);
            if (failure is not null)
            {
                return failure;
            }
            var uploaded = await SignedAsync(new Uri($"{config.ApiBaseUrl.TrimEnd('/')}/2/media/upload"), account, command, giveUpAt, () => new
            {
                media = Convert.ToBase64String(files[0].Content),
                media_category = isPublic ? "tweet_image" : "dm_image",
                media_type = files[0].ContentType,
            }, ct);
            if (uploaded.Outcome is { } refused)
            {
                return refused;
            }
            mediaId = uploaded.Data is { } data && data.TryGetProperty("id", out var id) ? id.GetString() : null;
            if (mediaId is null)
            {
                return SendOutcome.Failed("unexpected-response", "X answered the media upload without data.id.", permanent: false);
            }
        }
        var body = new Dictionary<string, object>();
        if (command.Text.Length > 0)
        {
            body["text"] = command.Text;
        }
        if (isPublic)
        {
            body["reply"] = new { in_reply_to_tweet_id = command.ReplyToProviderMessageId };
            if (mediaId is not null)
            {
                body["media"] = new { media_ids = new[] { mediaId } };
            }
        }
        else if (mediaId is not null)
        {
            body["attachments"] = new[] { new { media_id = mediaId } };
        }
        var sent = await SignedAsync(url, account, command, giveUpAt, () => body, ct);
        var idField = isPublic ? "id" : "dm_event_id";
        return sent.Outcome ?? (sent.Data is { } answer && answer.TryGetProperty(idField, out var sentId) && sentId.GetString() is { Length: > 0 } providerId
            ? SendOutcome.Sent(providerId)
            : SendOutcome.Failed("unexpected-response", $"X answered without data.{idField}.", permanent: false));
    }

    /// <summary>X's limit on a photo in a direct message.</summary>
    private const long MaxPhotoBytes = 5 * 1024 * 1024;

    /// <summary>
    /// One signed POST of a JSON body, sent again after a rate limit's reset within Twitter:MaxRateLimitWait: the answer's
    /// "data" on success, else the outcome to report.
    /// </summary>
    private async Task<(JsonElement? Data, SendOutcome? Outcome)> SignedAsync(Uri url, TwitterAccount account, SendChannelMessage command, DateTimeOffset giveUpAt,
        Func<object> payload, CancellationToken ct)
    {
        while (true)
        {
            var content = payload();
            using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(content, content.GetType()) };
            request.Options.Set(OAuth1SigningHandler.Account, account);
            using var response = await http.SendAsync(request, ct);
            var status = (int)response.StatusCode;
            health.Record(status);
            var body = await response.Content.ReadAsStringAsync(ct);
            if (status == 429)
            {
                var reset = RateLimitResetHandler.Reset(response);
                if (reset is { } at && at <= giveUpAt)
                {
                    logger.LogInformation("X rate limit for account {Account}; sending command {CommandId} again after the reset at {Reset:O}",
                        command.ChannelAccount, command.CommandId, at);
                    var wait = at - time.GetUtcNow() + TimeSpan.FromSeconds(1);
                    await Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, time, ct);
                    continue;
                }
                return (null, SendOutcome.Failed(RateLimited, reset is { } later
                    ? $"X's rate limit for this account resets at {later:O}, later than Twitter:MaxRateLimitWait allows."
                    : "X answered 429 without x-rate-limit-reset.", permanent: false));
            }
            return Outcome(status, body);
        }
    }

    /// <summary>
    /// Success carries "data" (data.dm_event_id of a message, data.id of an upload). Errors come as a problem ({"title","detail","type"}) or as
    /// {"errors":[{"code","message"}]}; X's code is the error code where it gives one, else the HTTP status.
    /// </summary>
    private static (JsonElement? Data, SendOutcome? Outcome) Outcome(int status, string body)
    {
        JsonElement root = default;
        try
        {
            root = JsonDocument.Parse(body).RootElement.Clone();
        }
        catch (JsonException)
        {
            // a proxy's page, or nothing: judged by the status alone
        }
        var isObject = root.ValueKind == JsonValueKind.Object;
        if (status is >= 200 and < 300)
        {
            return isObject && root.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object
                ? (data, null)
                : (null, SendOutcome.Failed("unexpected-response", $"X answered {status} without data.", permanent: false));
        }
        string? code = null, message = null;
        if (isObject && root.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array && errors.GetArrayLength() > 0)
        {
            var first = errors[0];
            code = first.TryGetProperty("code", out var c) ? c.ToString() : null;
            message = first.TryGetProperty("message", out var m) ? m.GetString() : null;
        }
        if (isObject)
        {
            message ??= root.TryGetProperty("detail", out var detail) ? detail.GetString() : null;
            message ??= root.TryGetProperty("title", out var title) ? title.GetString() : null;
        }
        return (null, SendOutcome.ForError(status, code ?? status.ToString(CultureInfo.InvariantCulture), message ?? $"X answered {status}.", permanent: true));
    }
}
