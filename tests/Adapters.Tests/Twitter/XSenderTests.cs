using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Routing.Adapters.Outbound;
using Routing.Adapters.Testing;
using Routing.Adapters.Twitter;
using Routing.Adapters.Twitter.AccountActivity;
using Routing.Contracts;
using Routing.OAuth;

namespace Adapters.Tests.Twitter;

/// <summary>
/// The sender with its real pipeline (resilience, per-attempt OAuth 1.0a signing, x-rate-limit-reset) against a
/// local imitation of X API v2's POST /2/dm_conversations/with/{participant_id}/messages
/// (https://docs.x.com/x-api/direct-messages/manage/introduction): 201 {"data":{"dm_conversation_id","dm_event_id"}},
/// and POST /2/tweets (https://docs.x.com/x-api/posts/manage-tweets/introduction): 201 {"data":{"id","text"}}; errors as
/// problem details.
/// </summary>
public sealed class XSenderTests : IAsyncLifetime
{
    private const string ConsumerKey = "dev-consumer-key";
    private const string AccessToken = "4337869213-dev-access-token";
    private const string AccessTokenSecret = "dev-access-token-secret";
    private ProviderApiImitation _api = null!;
    private ServiceProvider _services = null!;

    private IChannelSender Sender => _services.GetRequiredService<IChannelSender>();

    public async Task InitializeAsync()
    {
        _api = await ProviderApiImitation.StartAsync(["/2/dm_conversations/with/{participant}/messages", "/2/media/upload", "/2/tweets"], Sent("1582838499983564806"));
        _services = Build();
    }

    private ServiceProvider Build(string totalTimeout = "00:01:00", string maxRateLimitWait = "00:15:00") => SenderServices.Build(new Dictionary<string, string?>
    {
        ["Twitter:ConsumerKey"] = ConsumerKey,
        ["Twitter:ConsumerSecret"] = TwitterCases.ConsumerSecret,
        [$"Twitter:Accounts:{TwitterCases.Account}:AccessToken"] = AccessToken,
        [$"Twitter:Accounts:{TwitterCases.Account}:AccessTokenSecret"] = AccessTokenSecret,
        ["Twitter:ApiBaseUrl"] = _api.BaseUrl,
        ["Twitter:DegradedAfter"] = "3",
        ["Twitter:MaxRateLimitWait"] = maxRateLimitWait,
        ["Outbound:TotalTimeout"] = totalTimeout,
        ["Outbound:RetryBaseDelay"] = "00:00:00.050",
    }, services => services.AddTwitterSending());

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _api.DisposeAsync();
    }

    [Fact]
    public async Task Should_send_a_dm_as_the_account_signed_with_oauth_1a()
    {
        var outcome = await Sender.SendAsync(Command(), CancellationToken.None);

        Assert.Equal("1582838499983564806", outcome.ProviderMessageId);
        var request = Assert.Single(_api.Requests);
        Assert.Equal($"/2/dm_conversations/with/{TwitterCases.Customer}/messages", request.Path);
        Assert.Equal("We have refunded order 1042.", request.Json.GetProperty("text").GetString());
        Assert.False(request.Json.TryGetProperty("attachments", out _));
        var oauth = OAuthParameters(request.Authorization);
        Assert.Equal((ConsumerKey, AccessToken, "HMAC-SHA1", "1.0"),
            (oauth["oauth_consumer_key"], oauth["oauth_token"], oauth["oauth_signature_method"], oauth["oauth_version"]));
        var signed = oauth.Where(p => p.Key != "oauth_signature").ToList();
        Assert.Equal(OAuth1.Signature("POST", new Uri(_api.BaseUrl + request.Path), signed, TwitterCases.ConsumerSecret, AccessTokenSecret), oauth["oauth_signature"]);
    }

    [Fact]
    public async Task Should_answer_a_public_post_with_a_signed_post_in_reply()
    {
        _api.Then(ProviderApiImitation.Json(201, new { data = new { id = "1991560000000000009", text = "@furiouscamper We are sorry" } }));

        var outcome = await Sender.SendAsync(Command() with
        {
            Visibility = MessageVisibility.Public,
            ReplyToProviderMessageId = "1991543210987654321",
            Text = "We are sorry, Jordan: your refund for order 1042 went out today. We sent you the details privately.",
        }, CancellationToken.None);

        Assert.Equal("1991560000000000009", outcome.ProviderMessageId);
        var request = Assert.Single(_api.Requests);
        Assert.Equal("/2/tweets", request.Path);
        Assert.Equal("We are sorry, Jordan: your refund for order 1042 went out today. We sent you the details privately.", request.Json.GetProperty("text").GetString());
        Assert.Equal("1991543210987654321", request.Json.GetProperty("reply").GetProperty("in_reply_to_tweet_id").GetString());
        var oauth = OAuthParameters(request.Authorization);
        Assert.Equal(AccessToken, oauth["oauth_token"]);
        Assert.Equal(OAuth1.Signature("POST", new Uri(_api.BaseUrl + request.Path), oauth.Where(p => p.Key != "oauth_signature").ToList(),
            TwitterCases.ConsumerSecret, AccessTokenSecret), oauth["oauth_signature"]);
    }

    /// <summary>X counts a link as 23 and a CJK character or an emoji as 2: a reply over 280 by that count is refused, not cut, and X is never asked.</summary>
    [Fact]
    public async Task Should_refuse_a_public_reply_longer_than_x_counts_and_one_to_no_post()
    {
        var tooLong = await Sender.SendAsync(Command() with
        {
            Visibility = MessageVisibility.Public, ReplyToProviderMessageId = "1991543210987654321", Text = new string('返', 141),
        }, CancellationToken.None);
        var noPost = await Sender.SendAsync(Command() with { Visibility = MessageVisibility.Public }, CancellationToken.None);

        Assert.Equal(("too-long", true), (tooLong.ErrorCode, tooLong.Permanent));
        Assert.Contains("at most 280 characters; this one counts 282", tooLong.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal(("no-post", true), (noPost.ErrorCode, noPost.Permanent));
        Assert.Empty(_api.Requests);
    }

    [Fact]
    public async Task Should_upload_the_photo_as_the_account_and_send_it_in_the_dm()
    {
        await using var gateway = await GatewayFiles.StartAsync();
        byte[] jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3, 4];
        var photo = gateway.Put("label.jpg", "image/jpeg", jpeg);
        _api.Then(ProviderApiImitation.Json(200, new { data = new { id = "1880028106020515840", media_key = "3_1880028106020515840", expires_after_secs = 86400 } }),
            Sent("1582838499983564807"));

        var outcome = await Sender.SendAsync(Command() with { Attachments = [photo] }, CancellationToken.None);

        Assert.Equal("1582838499983564807", outcome.ProviderMessageId);
        var (upload, message) = (_api.Requests.First(), _api.Requests.Last());
        Assert.Equal("/2/media/upload", upload.Path);
        Assert.Equal((Convert.ToBase64String(jpeg), "dm_image", "image/jpeg"), (upload.Json.GetProperty("media").GetString(),
            upload.Json.GetProperty("media_category").GetString(), upload.Json.GetProperty("media_type").GetString()));
        Assert.Equal(AccessToken, OAuthParameters(upload.Authorization)["oauth_token"]);
        Assert.Equal("1880028106020515840", message.Json.GetProperty("attachments")[0].GetProperty("media_id").GetString());
        Assert.Equal("We have refunded order 1042.", message.Json.GetProperty("text").GetString());
    }

    [Fact]
    public async Task Should_fail_for_good_without_calling_x_when_the_photo_link_no_longer_opens()
    {
        await using var gateway = await GatewayFiles.StartAsync();

        var outcome = await Sender.SendAsync(Command() with { Attachments = [gateway.Link("gone.jpg", "image/jpeg", 100)] }, CancellationToken.None);

        Assert.Equal(("file-unavailable", true), (outcome.ErrorCode, outcome.Permanent));
        Assert.Empty(_api.Requests);
    }

    [Fact]
    public async Task Should_wait_for_the_rate_limit_reset_and_sign_the_retry_afresh()
    {
        _api.Then(RateLimited(DateTimeOffset.UtcNow.AddSeconds(2)), Sent("after-reset"));

        var outcome = await Sender.SendAsync(Command(), CancellationToken.None);

        Assert.Equal("after-reset", outcome.ProviderMessageId);
        Assert.Equal(2, _api.Requests.Count);
        var nonces = _api.Requests.Select(r => OAuthParameters(r.Authorization)["oauth_nonce"]).ToList();
        Assert.NotEqual(nonces[0], nonces[1]);
    }

    [Fact]
    public async Task Should_wait_past_the_pipeline_budget_when_the_reset_is_within_the_allowed_wait()
    {
        await using var services = Build(totalTimeout: "00:00:02", maxRateLimitWait: "00:01:00");
        _api.Then(RateLimited(DateTimeOffset.UtcNow.AddSeconds(4)), Sent("after-long-reset"));

        var outcome = await services.GetRequiredService<IChannelSender>().SendAsync(Command(), CancellationToken.None);

        Assert.Equal("after-long-reset", outcome.ProviderMessageId);
        Assert.Equal(2, _api.Requests.Count);
    }

    [Fact]
    public async Task Should_fail_transiently_when_the_reset_is_too_far_away()
    {
        _api.Then(RateLimited(DateTimeOffset.UtcNow.AddHours(1)));

        var outcome = await Sender.SendAsync(Command(), CancellationToken.None);

        Assert.Equal((XSender.RateLimited, false), (outcome.ErrorCode, outcome.Permanent));
        Assert.Single(_api.Requests);
    }

    [Theory]
    [InlineData(401, "401", true)]
    [InlineData(403, "403", true)]
    [InlineData(400, "400", true)]
    [InlineData(503, "503", false)]
    public async Task Should_map_x_errors(int status, string code, bool permanent)
    {
        _api.Then(Problem(status));

        var outcome = await Sender.SendAsync(Command(), CancellationToken.None);

        Assert.Equal((code, permanent), (outcome.ErrorCode, outcome.Permanent));
    }

    [Fact]
    public async Task Should_use_x_error_code_when_the_body_has_one()
    {
        _api.Then(ProviderApiImitation.Json(403, new { errors = new[] { new { code = 349, message = "You cannot send messages to this user." } } }));

        var outcome = await Sender.SendAsync(Command(), CancellationToken.None);

        Assert.Equal(("349", "You cannot send messages to this user.", true), (outcome.ErrorCode, outcome.ErrorMessage, outcome.Permanent));
    }

    [Fact]
    public async Task Should_report_the_channel_degraded_after_sustained_refusals_and_healthy_after_a_send()
    {
        var health = _services.GetRequiredService<ChannelHealth>();
        _api.Then(Problem(401), Problem(403), Problem(401), Sent("healed"));

        for (var i = 0; i < 2; i++)
        {
            await Sender.SendAsync(Command(), CancellationToken.None);
        }
        var afterTwo = await health.CheckHealthAsync(new HealthCheckContext());
        await Sender.SendAsync(Command(), CancellationToken.None);
        var afterThree = await health.CheckHealthAsync(new HealthCheckContext());
        await Sender.SendAsync(Command(), CancellationToken.None);
        var afterSuccess = await health.CheckHealthAsync(new HealthCheckContext());

        Assert.Equal(HealthStatus.Healthy, afterTwo.Status);
        Assert.Equal(HealthStatus.Degraded, afterThree.Status);
        Assert.Equal((3, 401), ((int)afterThree.Data["consecutiveRefusals"], (int)afterThree.Data["lastStatus"]));
        Assert.Equal(HealthStatus.Healthy, afterSuccess.Status);
    }

    [Fact]
    public async Task Should_refuse_an_account_it_has_no_tokens_for()
    {
        var outcome = await Sender.SendAsync(Command() with { ChannelAccount = "999" }, CancellationToken.None);

        Assert.Equal(("not-configured", true), (outcome.ErrorCode, outcome.Permanent));
        Assert.Empty(_api.Requests);
    }

    private static Func<HttpContext, Task> Sent(string eventId) =>
        ProviderApiImitation.Json(201, new { data = new { dm_conversation_id = $"{TwitterCases.Customer}-{TwitterCases.Account}", dm_event_id = eventId } });

    private static Func<HttpContext, Task> Problem(int status) =>
        ProviderApiImitation.Json(status, new { title = "Refused", type = "about:blank", status, detail = $"X answered {status}" });

    /// <summary>X's 429: x-rate-limit-limit/remaining/reset (Unix seconds), no Retry-After.</summary>
    private static Func<HttpContext, Task> RateLimited(DateTimeOffset reset) => context =>
    {
        context.Response.StatusCode = 429;
        context.Response.Headers["x-rate-limit-limit"] = "15";
        context.Response.Headers["x-rate-limit-remaining"] = "0";
        context.Response.Headers["x-rate-limit-reset"] = reset.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        return context.Response.WriteAsJsonAsync(new { title = "Too Many Requests", detail = "Too Many Requests", type = "about:blank", status = 429 });
    };

    private static Dictionary<string, string> OAuthParameters(string header)
    {
        Assert.StartsWith("OAuth ", header);
        return header["OAuth ".Length..].Split(", ").Select(p => p.Split('=', 2))
            .ToDictionary(p => Uri.UnescapeDataString(p[0]), p => Uri.UnescapeDataString(p[1].Trim('"')));
    }

    private static SendChannelMessage Command() => new()
    {
        CommandId = Guid.NewGuid(),
        ConversationId = Guid.NewGuid(),
        AgentId = "anna",
        Channel = "twitter",
        ChannelAccount = TwitterCases.Account,
        To = new CustomerAddress { Kind = "twitter", Value = TwitterCases.Customer },
        Text = "We have refunded order 1042.",
        RequestedAt = DateTimeOffset.UtcNow,
    };
}
