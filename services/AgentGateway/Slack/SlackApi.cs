using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Routing.AgentGateway.Delivery;
using Routing.ServiceDefaults;

namespace Routing.AgentGateway.Slack;

/// <summary>A Web API answer: ok with the message's channel and ts, or Slack's error code; a 429 carries its Retry-After.</summary>
internal sealed record SlackAnswer(int Status, bool Ok, string? Error, string? Channel, string? Ts, TimeSpan? RetryAfter)
{
    /// <summary>Errors that will not pass by waiting: the channel or user is gone, or the app cannot write there.</summary>
    private static readonly string[] TargetGone = ["channel_not_found", "is_archived", "user_not_found", "cannot_dm_bot", "user_disabled"];

    /// <summary>The delivery outcome this answer means.</summary>
    public DeliveryOutcome Outcome() => this switch
    {
        { Ok: true } => new DeliveryOutcome.Delivered(Status),
        { Status: 429 } or { Error: "ratelimited" } => new DeliveryOutcome.Retry(429, "rate limited by Slack", RetryAfter ?? TimeSpan.FromSeconds(30)),
        { Error: { } error } when TargetGone.Contains(error) => new DeliveryOutcome.Disable(Status, $"Slack answered {error}: target disabled"),
        { Error: { } error } => new DeliveryOutcome.Retry(Status, "Slack answered " + error),
        _ => new DeliveryOutcome.Retry(Status, $"Slack answered HTTP {Status}"),
    };
}

/// <summary>
/// Slack's Web API (chat.postMessage, chat.update, reactions.add) with the bot token. Slack limits calls per method
/// and workspace: a 429 pauses every call from this replica for its Retry-After, and the calls are tried again then.
/// </summary>
internal sealed class SlackApi(IHttpClientFactory clients, IOptions<SlackOptions> options, TimeProvider time, ILogger<SlackApi> logger)
{
    public const string ClientName = "slack";
    private long _pausedUntilTicks;

    /// <summary>A call whose failure must not fail the request it is made for (a notice in a thread, buttons replaced): logged, and null.</summary>
    public async Task<SlackAnswer?> TryCallAsync(string method, object body, CancellationToken ct)
    {
        try
        {
            var answer = await CallAsync(method, body, ct);
            if (!answer.Ok)
            {
                logger.LogWarning("Slack {Method} answered {Error}", method, answer.Error ?? answer.Status.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
            return answer;
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException || (ex is OperationCanceledException && !ct.IsCancellationRequested))
        {
            logger.LogWarning(ex, "Slack {Method} failed", method);
            return null;
        }
    }

    /// <summary>
    /// A file shared in Slack, with the bot token (scope files:read), from Slack's own hosts only (the token goes nowhere
    /// else): its bytes, or null when it is larger than <paramref name="maxBytes"/>. Throws when Slack does not serve it.
    /// </summary>
    public async Task<byte[]?> DownloadAsync(string url, long maxBytes, CancellationToken ct)
    {
        var config = options.Value;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || !(uri.Host.EndsWith(".slack.com", StringComparison.OrdinalIgnoreCase)
                || uri.Host == "slack.com" || uri.Authority == config.ApiUrl.Authority))
        {
            throw new HttpRequestException("the file's link is not on Slack's servers");
        }
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", config.BotToken);
        using var response = await clients.CreateClient(DownloadClient).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        if (!response.IsSuccessStatusCode || response.Content.Headers.ContentType?.MediaType == "text/html")
        {
            // Slack answers a link it will not serve to this token with its sign-in page
            throw new HttpRequestException($"Slack answered {(int)response.StatusCode} for the file");
        }
        if (response.Content.Headers.ContentLength > maxBytes)
        {
            return null;
        }
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        return await CappedBody.ReadAsync(stream, maxBytes, ct);
    }

    /// <summary>Files from Slack: a timeout of its own, no redirects (the bot token must not follow one off Slack).</summary>
    public const string DownloadClient = "slack-files";

    public async Task<SlackAnswer> CallAsync(string method, object body, CancellationToken ct)
    {
        var config = options.Value;
        if (!config.Enabled)
        {
            return new SlackAnswer(0, false, "not configured here (Gateway:Slack:BotToken is not set)", null, null, null);
        }
        var now = time.GetUtcNow();
        var paused = new DateTimeOffset(Interlocked.Read(ref _pausedUntilTicks), TimeSpan.Zero);
        if (paused > now)
        {
            return new SlackAnswer(429, false, "ratelimited", null, null, paused - now);
        }
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(config.ApiUrl, method)) { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", config.BotToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(config.CallTimeout);
        using var response = await clients.CreateClient(ClientName).SendAsync(request, timeout.Token);
        if (response.StatusCode == HttpStatusCode.TooManyRequests)
        {
            var wait = WebhookSender.RetryAfter(response, time) ?? TimeSpan.FromSeconds(30);
            Interlocked.Exchange(ref _pausedUntilTicks, (time.GetUtcNow() + wait).UtcTicks);
            logger.LogWarning("Slack rate-limited {Method}: calls wait {Wait}", method, wait);
            return new SlackAnswer(429, false, "ratelimited", null, null, wait);
        }
        if (!response.IsSuccessStatusCode)
        {
            return new SlackAnswer((int)response.StatusCode, false, null, null, null, null);
        }
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>(timeout.Token);
        return new SlackAnswer((int)response.StatusCode,
            answer.TryGetProperty("ok", out var ok) && ok.ValueKind == JsonValueKind.True,
            answer.TryGetProperty("error", out var error) ? error.GetString() : null,
            answer.TryGetProperty("channel", out var channel) ? channel.GetString() : null,
            answer.TryGetProperty("ts", out var ts) ? ts.GetString() : null,
            null);
    }
}
