using Polly;
using Polly.Retry;

namespace Routing.ServiceDefaults;

/// <summary>
/// The declared retry of a background service's round (reconnecting to a mailbox, a LISTEN connection, an outbox
/// round): a failed round is tried again after <c>delay(attempt)</c>, on the injected clock, for as long as the service
/// runs (or <c>maxAttempts</c>); a round that completes starts the count afresh. The service stopping ends it: its
/// cancellation is never retried.
/// </summary>
public static class BackgroundRetry
{
    /// <param name="delay">The wait before retry <c>attempt</c> (0 for the first retry).</param>
    /// <param name="onRetry">Told each failure and the wait before the next try (to log it, to report health).</param>
    public static ResiliencePipeline Pipeline(TimeProvider time, Func<int, TimeSpan> delay, Action<Exception, TimeSpan> onRetry, int maxAttempts = int.MaxValue) =>
        new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } ex
                    && !(ex is OperationCanceledException && args.Context.CancellationToken.IsCancellationRequested)),
                MaxRetryAttempts = maxAttempts,
                DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(delay(args.AttemptNumber)),
                OnRetry = args =>
                {
                    onRetry(args.Outcome.Exception!, args.RetryDelay);
                    return default;
                },
            })
            .Build();

    /// <summary>first, twice that, four times… up to <paramref name="max"/>, for retry <paramref name="attempt"/> (0 for the first).</summary>
    public static TimeSpan Doubling(TimeSpan first, TimeSpan max, int attempt) =>
        TimeSpan.FromTicks((long)Math.Min(max.Ticks, first.Ticks * Math.Pow(2, Math.Min(attempt, 30))));
}
