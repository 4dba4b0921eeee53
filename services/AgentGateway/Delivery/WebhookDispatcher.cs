using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace Routing.AgentGateway.Delivery;

/// <summary>
/// Sends due webhook deliveries, on every replica: claims a batch (SKIP LOCKED, a lease ahead), signs each attempt
/// afresh with the same webhook-id, and records the outcome. 2xx is delivered. 410 disables the target and
/// abandons what was pending for it; so does a target the guard refuses. Anything else (timeouts, 5xx, 429, other
/// 4xx) is tried again after an exponential, jittered delay (Retry-After when the receiver gives a longer one)
/// until Gateway:Delivery:MaxAttempts, then it is exhausted: listed by the admin API, and replayable.
/// </summary>
internal sealed class WebhookDispatcher(WebhookStore store, DeliveryWakeup wakeup, SecretBox secrets, IHttpClientFactory clients, IOptions<DeliveryOptions> options,
    TimeProvider time, IMeterFactory meters, ILogger<WebhookDispatcher> logger) : BackgroundService
{
    public const string ClientName = "webhook-delivery";
    private readonly Counter<long> _attempts = meters.Create("Routing.AgentGateway").CreateCounter<long>("gateway.webhook.attempts",
        description: "Webhook delivery attempts by outcome (delivered, retry, exhausted, gone, refused)");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var config = options.Value;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // Taken before claiming: a delivery queued while this round runs wakes the next one at once.
                var queued = wakeup.NextAsync();
                var due = await store.ClaimDueAsync(config.BatchSize, config.Lease, time.GetUtcNow(), stoppingToken);
                await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = stoppingToken },
                    async (delivery, ct) => await AttemptAsync(delivery, config, ct));
                if (due.Count < config.BatchSize)
                {
                    await Task.WhenAny(queued, Task.Delay(config.PollInterval, time, stoppingToken));
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Webhook delivery round failed; trying again shortly");
                await Task.Delay(config.PollInterval, time, stoppingToken);
            }
        }
    }

    internal async Task AttemptAsync(ClaimedDelivery delivery, DeliveryOptions config, CancellationToken ct)
    {
        var webhookId = "msg_" + delivery.Id.ToString("N");
        HttpStatusCode? status = null;
        TimeSpan? retryAfter = null;
        string error;
        try
        {
            var now = time.GetUtcNow();
            using var request = new HttpRequestMessage(HttpMethod.Post, delivery.Url) { Content = new ByteArrayContent(delivery.Body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Headers.Add(StandardWebhookSignature.IdHeader, webhookId);
            request.Headers.Add(StandardWebhookSignature.TimestampHeader, now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
            request.Headers.Add(StandardWebhookSignature.SignatureHeader,
                StandardWebhookSignature.Sign([secrets.Open(delivery.SecretCiphertext)], webhookId, now.ToUnixTimeSeconds(), delivery.Body));
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(config.AttemptTimeout);
            using var response = await clients.CreateClient(ClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            status = response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                await store.DeliveredAsync(delivery.Id, (int)response.StatusCode, time.GetUtcNow(), ct);
                _attempts.Add(1, new KeyValuePair<string, object?>("outcome", "delivered"));
                return;
            }
            if (response.StatusCode == HttpStatusCode.Gone)
            {
                await store.DisableTargetAsync(delivery.TargetId, 410, "the receiver answered 410 Gone: target disabled", time.GetUtcNow(), ct);
                _attempts.Add(1, new KeyValuePair<string, object?>("outcome", "gone"));
                logger.LogWarning("Webhook target {TargetId} answered 410: disabled", delivery.TargetId);
                return;
            }
            retryAfter = response.Headers.RetryAfter?.Delta ?? (response.Headers.RetryAfter?.Date - time.GetUtcNow());
            error = $"HTTP {(int)response.StatusCode}";
        }
        catch (HttpRequestException ex) when (ex.InnerException is TargetRefusedException refused)
        {
            await store.DisableTargetAsync(delivery.TargetId, null, "target refused: " + refused.Message, time.GetUtcNow(), ct);
            _attempts.Add(1, new KeyValuePair<string, object?>("outcome", "refused"));
            logger.LogWarning("Webhook target {TargetId} refused by the guard: {Reason}", delivery.TargetId, refused.Message);
            return;
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or CryptographicException
                                       || (ex is OperationCanceledException && !ct.IsCancellationRequested))
        {
            error = ex switch
            {
                OperationCanceledException => $"no answer within {config.AttemptTimeout}",
                CryptographicException => "the target's signing secret cannot be opened (was Gateway:SecretKey changed?)",
                _ => ex.Message,
            };
        }

        var retryAt = delivery.Attempts >= config.MaxAttempts ? (DateTimeOffset?)null : time.GetUtcNow() + Delay(delivery.Attempts, retryAfter, config);
        await store.FailedAsync(delivery.Id, (int?)status, error, retryAt, ct);
        _attempts.Add(1, new KeyValuePair<string, object?>("outcome", retryAt is null ? "exhausted" : "retry"));
        if (retryAt is null)
        {
            logger.LogWarning("Webhook delivery {WebhookId} exhausted after {Attempts} attempts: {Error}", webhookId, delivery.Attempts, error);
        }
    }

    /// <summary>FirstDelay × 2^(attempts−1), capped at MaxDelay, with jitter (between half and all of it); a longer Retry-After wins.</summary>
    internal static TimeSpan Delay(int attempts, TimeSpan? retryAfter, DeliveryOptions config)
    {
        var exponential = config.FirstDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempts - 1, 30));
        var capped = Math.Min(exponential, config.MaxDelay.TotalMilliseconds);
        var jittered = TimeSpan.FromMilliseconds(capped / 2 + RandomNumberGenerator.GetInt32(0, (int)Math.Min(int.MaxValue, capped / 2) + 1));
        return retryAfter is { } wait && wait > jittered ? wait : jittered;
    }
}
