using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Routing.OAuth;
using Microsoft.Extensions.Options;
using Routing.Adapters.Webhooks;

namespace Routing.Adapters.Twitter.AccountActivity;

/// <summary>
/// Signs every attempt afresh with OAuth 1.0a (a new nonce and timestamp: X refuses a replayed nonce), with the
/// account's credentials the sender put in the request's options.
/// </summary>
internal sealed class OAuth1SigningHandler(IOptions<TwitterOptions> options, TimeProvider time) : DelegatingHandler
{
    public static readonly HttpRequestOptionsKey<TwitterAccount> Account = new("twitter.account");

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Options.TryGetValue(Account, out var account))
        {
            var app = options.Value;
            request.Headers.Authorization = AuthenticationHeaderValue.Parse(OAuth1.Authorization(request.Method.Method, request.RequestUri!,
                new OAuth1.Credentials(app.ConsumerKey, app.ConsumerSecret, account.AccessToken, account.AccessTokenSecret), time.GetUtcNow()));
        }
        return base.SendAsync(request, cancellationToken);
    }
}

/// <summary>
/// X says when a rate-limit window reopens with x-rate-limit-reset (Unix seconds) rather than Retry-After;
/// on a 429 it is turned into Retry-After, so the pipeline's retry waits for the reset, or, when the reset
/// lies beyond the send's budget, hands the 429 back to the sender at once.
/// </summary>
internal sealed class RateLimitResetHandler(TimeProvider time) : DelegatingHandler
{
    public const string ResetHeader = "x-rate-limit-reset";

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        if (response.StatusCode == HttpStatusCode.TooManyRequests && response.Headers.RetryAfter is null && Reset(response) is { } reset)
        {
            var wait = reset - time.GetUtcNow();
            response.Headers.RetryAfter = new RetryConditionHeaderValue(wait > TimeSpan.Zero ? TimeSpan.FromSeconds(Math.Ceiling(wait.TotalSeconds)) : TimeSpan.Zero);
        }
        return response;
    }

    public static DateTimeOffset? Reset(HttpResponseMessage response) =>
        response.Headers.TryGetValues(ResetHeader, out var values)
        && long.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            ? UnixTime.FromSeconds(seconds) : null;
}
