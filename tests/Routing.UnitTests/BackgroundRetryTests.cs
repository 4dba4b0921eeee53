using Microsoft.Extensions.Time.Testing;
using Routing.ServiceDefaults;

namespace Routing.UnitTests;

/// <summary>The declared retry of background rounds (ServiceDefaults/BackgroundRetry), on a fake clock.</summary>
public sealed class BackgroundRetryTests
{
    [Fact]
    public async Task Should_retry_a_failing_round_after_each_delay_on_the_injected_clock()
    {
        var time = new FakeTimeProvider();
        var waits = new List<TimeSpan>();
        var attempts = 0;
        var pipeline = BackgroundRetry.Pipeline(time, attempt => TimeSpan.FromSeconds(attempt + 1), (_, wait) => waits.Add(wait));

        var round = pipeline.ExecuteAsync(_ => ++attempts < 3 ? throw new InvalidOperationException("database away") : ValueTask.FromResult(attempts),
            CancellationToken.None).AsTask();

        await WaitUntilAsync(() => waits.Count == 1);
        Assert.Equal(1, attempts);
        time.Advance(TimeSpan.FromMilliseconds(999));
        await Task.Delay(50);
        Assert.Equal(1, attempts); // not before its delay
        time.Advance(TimeSpan.FromMilliseconds(1));
        await WaitUntilAsync(() => waits.Count == 2);
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(3, await round);
        Assert.Equal([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)], waits);
    }

    [Fact]
    public async Task Should_end_without_retrying_when_the_service_stops()
    {
        var time = new FakeTimeProvider();
        var retried = 0;
        using var stopping = new CancellationTokenSource();
        var pipeline = BackgroundRetry.Pipeline(time, _ => TimeSpan.FromSeconds(1), (_, _) => retried++);

        var round = pipeline.ExecuteAsync(async ct => await Task.Delay(Timeout.InfiniteTimeSpan, time, ct), stopping.Token).AsTask();
        await stopping.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => round);
        Assert.Equal(0, retried);
    }

    [Fact]
    public async Task Should_retry_a_cancellation_that_is_not_the_service_stopping()
    {
        var time = new FakeTimeProvider();
        var attempts = 0;
        var pipeline = BackgroundRetry.Pipeline(time, _ => TimeSpan.Zero, (_, _) => { });

        // a client library's own timeout surfaces as a cancellation too: that round is retried
        var result = await pipeline.ExecuteAsync(_ => ++attempts == 1 ? throw new TaskCanceledException("IMAP read timed out") : ValueTask.FromResult(attempts),
            CancellationToken.None);

        Assert.Equal(2, result);
    }

    [Fact]
    public async Task Should_give_up_after_the_last_attempt_with_the_rounds_own_error()
    {
        var time = new FakeTimeProvider();
        var attempts = 0;
        var pipeline = BackgroundRetry.Pipeline(time, _ => TimeSpan.Zero, (_, _) => { }, maxAttempts: 2);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
            await pipeline.ExecuteAsync(_ => { attempts++; throw new InvalidOperationException("still away"); }, CancellationToken.None));

        Assert.Equal("still away", error.Message);
        Assert.Equal(3, attempts);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 2)]
    [InlineData(3, 8)]
    [InlineData(7, 120)]
    [InlineData(1000, 120)]
    public void Doubling_doubles_up_to_its_ceiling(int attempt, int seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), BackgroundRetry.Doubling(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(2), attempt));

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(10);
        }
        Assert.True(condition());
    }
}
