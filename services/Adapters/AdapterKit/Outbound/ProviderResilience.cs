using System.Net;
using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace Routing.Adapters.Outbound;

/// <summary>
/// Which failed sends may be tried again. A provider's send is not idempotent (Twilio's error 20500: "if you retry
/// ... it is possible for a customer to receive multiple messages"), so only what surely sent nothing is retried:
/// a connection that never opened, and the answers that refuse before any work (429, 503). A 500, a 408, a timeout
/// or a connection lost after the request was written is left alone and reported as an unknown outcome.
/// </summary>
public static class ProviderResilience
{
    /// <summary>
    /// The pipeline every provider API client declares, outermost first: a total timeout, a retry of what
    /// <paramref name="shouldRetry"/> allows (jittered exponential backoff from <paramref name="baseDelay"/>, Retry-After
    /// honoured), a circuit breaker (half of 10 or more calls failing in 30 s opens it for <paramref name="breakFor"/>), and a
    /// timeout per attempt. With <paramref name="maxRetries"/> 0 nothing is retried.
    /// </summary>
    public static void AddProviderPipeline(ResiliencePipelineBuilder<HttpResponseMessage> pipeline, TimeSpan totalTimeout, int maxRetries, TimeSpan baseDelay,
        Func<Outcome<HttpResponseMessage>, bool> shouldRetry, TimeSpan breakFor, TimeSpan attemptTimeout)
    {
        pipeline.AddTimeout(totalTimeout);
        pipeline.AddRetry(new HttpRetryStrategyOptions
        {
            MaxRetryAttempts = Math.Max(maxRetries, 1),
            ShouldHandle = args => ValueTask.FromResult(maxRetries > 0 && shouldRetry(args.Outcome)),
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = baseDelay,
            ShouldRetryAfterHeader = true,
        });
        pipeline.AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
        {
            FailureRatio = 0.5,
            MinimumThroughput = 10,
            SamplingDuration = TimeSpan.FromSeconds(30),
            BreakDuration = breakFor,
        });
        pipeline.AddTimeout(attemptTimeout);
    }

    /// <summary>The request never left this process: no name, no connection, no TLS session.</summary>
    public static bool NeverSent(HttpRequestException exception) =>
        exception.HttpRequestError is HttpRequestError.NameResolutionError or HttpRequestError.ConnectionError or HttpRequestError.SecureConnectionError;

    /// <summary>
    /// Retry a send that surely did nothing, unless the answer's Retry-After lies beyond the whole send's budget:
    /// waiting for it could only end in a timeout, so the sender gets the answer now and can report it.
    /// </summary>
    public static bool ShouldRetry(Outcome<HttpResponseMessage> outcome, TimeSpan budget, DateTimeOffset now)
    {
        if (outcome.Exception is HttpRequestException http)
        {
            return NeverSent(http);
        }
        if (outcome.Result is not { } response || response.StatusCode is not (HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable))
        {
            return false;
        }
        if (response.Headers.RetryAfter is { } retryAfter)
        {
            var wait = retryAfter.Delta ?? (retryAfter.Date - now);
            return wait <= budget;
        }
        return true;
    }
}
