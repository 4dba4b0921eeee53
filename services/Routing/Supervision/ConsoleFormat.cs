using System.Globalization;
using Routing.Contracts;

namespace Routing.Supervision;

/// <summary>Instants and durations as the console shows them: UTC on the server, the browser's own zone once its script runs.</summary>
internal static class ConsoleFormat
{
    public static string Time(DateTimeOffset instant) => instant.UtcDateTime.ToString("HH:mm 'UTC'", CultureInfo.InvariantCulture);

    public static string DateTime(DateTimeOffset instant) => instant.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    /// <summary>The instant as ISO 8601, for a time element's datetime attribute.</summary>
    public static string Iso(DateTimeOffset instant) => instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>"45 s", "12 min", "3 h 5 min", "2 d 4 h": how long, to the precision a supervisor reads at a glance.</summary>
    public static string Duration(TimeSpan span)
    {
        if (span < TimeSpan.Zero)
        {
            span = TimeSpan.Zero;
        }
        return span.TotalMinutes < 1 ? $"{(int)span.TotalSeconds} s"
            : span.TotalHours < 1 ? $"{(int)span.TotalMinutes} min"
            : span.TotalDays < 1 ? $"{(int)span.TotalHours} h {span.Minutes} min"
            : $"{(int)span.TotalDays} d {span.Hours} h";
    }

    /// <summary>A customer without a name, by the end of their id (its start is a time, alike for customers of the same hour).</summary>
    /// <summary>A conversation's channel, and "in public" when the customer's latest message there is for everyone to read.</summary>
    public static string Channel(string channel, string visibility) => visibility == MessageVisibility.Public ? $"{channel}, in public" : channel;

    public static string Customer(Guid id) => $"Customer {id.ToString("N")[^8..]}";

    public static DateTimeOffset Utc(DateTime value) => new(System.DateTime.SpecifyKind(value, DateTimeKind.Utc));
}
