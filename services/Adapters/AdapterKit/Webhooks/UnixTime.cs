namespace Routing.Adapters.Webhooks;

/// <summary>
/// Unix times from outside: a value no date can hold (before year 1 or after 9999, which a parser accepts as a long) is
/// no time at all, never an exception (DateTimeOffset.FromUnixTime* throws on it: a 500, found by make fuzz).
/// </summary>
public static class UnixTime
{
    private static readonly long MinSeconds = DateTimeOffset.MinValue.ToUnixTimeSeconds();
    private static readonly long MaxSeconds = DateTimeOffset.MaxValue.ToUnixTimeSeconds();
    private static readonly long MinMilliseconds = DateTimeOffset.MinValue.ToUnixTimeMilliseconds();
    private static readonly long MaxMilliseconds = DateTimeOffset.MaxValue.ToUnixTimeMilliseconds();

    public static DateTimeOffset? FromSeconds(long seconds) =>
        seconds >= MinSeconds && seconds <= MaxSeconds ? DateTimeOffset.FromUnixTimeSeconds(seconds) : null;

    public static DateTimeOffset? FromMilliseconds(long milliseconds) =>
        milliseconds >= MinMilliseconds && milliseconds <= MaxMilliseconds ? DateTimeOffset.FromUnixTimeMilliseconds(milliseconds) : null;
}
