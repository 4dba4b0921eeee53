using System.Diagnostics;

namespace Routing.Testing;

/// <summary>
/// Waiting for what a test expects to happen elsewhere: a row, a delivery, a request some server received. The
/// condition is polled until it holds, for up to <see cref="Patience"/>: long enough for a two-core machine busy
/// with other work (a benchmark, another test assembly), and a test that passes never waits for the limit. Giving
/// up, it says what it waited for and, when the probe last threw, what.
/// </summary>
public static class Eventually
{
    /// <summary>How long any test waits for something to happen, unless it says otherwise.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    /// <param name="what">What the test waits for, as the failure message should say it: "the offer to be accepted".</param>
    public static async Task TrueAsync(string what, Func<Task<bool>> condition, TimeSpan? timeout = null)
    {
        var limit = timeout ?? Patience;
        var waited = Stopwatch.StartNew();
        Exception? lastError = null;
        while (true)
        {
            try
            {
                if (await condition())
                {
                    return;
                }
                lastError = null;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                lastError = ex;
            }
            if (waited.Elapsed >= limit)
            {
                var last = lastError is null ? "" : $" (the last check threw {lastError.GetType().Name}: {lastError.Message})";
                throw new TimeoutException($"Waited {limit.TotalSeconds:0} s for {what}, in vain{last}.", lastError);
            }
            await Task.Delay(PollInterval);
        }
    }

    /// <summary>Polls <paramref name="probe"/> until it finds a value.</summary>
    public static async Task<T> ValueAsync<T>(string what, Func<Task<T?>> probe, TimeSpan? timeout = null) where T : class
    {
        T? value = null;
        await TrueAsync(what, async () => (value = await probe()) is not null, timeout);
        return value!;
    }

    /// <summary>Polls <paramref name="probe"/> until it finds a value.</summary>
    public static async Task<T> ValueAsync<T>(string what, Func<Task<T?>> probe, TimeSpan? timeout = null) where T : struct
    {
        T? value = null;
        await TrueAsync(what, async () => (value = await probe()) is not null, timeout);
        return value!.Value;
    }
}
