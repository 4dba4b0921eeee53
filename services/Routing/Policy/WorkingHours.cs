using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Routing.Policy;

/// <summary>
/// Weekly opening hours in a time zone, with holidays: an agent's shift or a team's (or the centre's) business hours.
/// JSON: {"timeZone":"Europe/Rome","weekly":{"monday":["09:00-13:00","14:00-18:00"],…},"holidays":["2026-12-25"]};
/// a day not listed is closed, "24:00" ends a day, and hours that run into the next day's continue across midnight.
/// </summary>
internal sealed class WorkingHours
{
    private static readonly ConcurrentDictionary<string, WorkingHours> Parsed = new(StringComparer.Ordinal);
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow };

    private readonly Dictionary<DayOfWeek, List<(TimeSpan From, TimeSpan To)>> _weekly;
    private readonly HashSet<DateOnly> _holidays;

    private WorkingHours(TimeZoneInfo zone, Dictionary<DayOfWeek, List<(TimeSpan, TimeSpan)>> weekly, HashSet<DateOnly> holidays)
    {
        Zone = zone;
        _weekly = weekly;
        _holidays = holidays;
    }

    public TimeZoneInfo Zone { get; }

    /// <summary>The hours a stored JSON describes (parsed once per distinct text).</summary>
    public static WorkingHours FromJson(string json) =>
        Parsed.GetOrAdd(json, j => TryParse(j, out var hours, out var error) ? hours! : throw new FormatException(error));

    /// <summary>Reads hours as the API and the configuration give them; <paramref name="error"/> says what is wrong, in words.</summary>
    public static bool TryParse(string json, out WorkingHours? hours, out string? error)
    {
        hours = null;
        Document? document;
        try
        {
            document = JsonSerializer.Deserialize<Document>(json, Json);
        }
        catch (JsonException ex)
        {
            error = "is not hours as {\"timeZone\", \"weekly\", \"holidays\"}: " + ex.Message;
            return false;
        }
        if (document is null || string.IsNullOrWhiteSpace(document.TimeZone))
        {
            error = "needs a timeZone, such as Europe/Rome";
            return false;
        }
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(document.TimeZone, out var zone))
        {
            error = $"timeZone '{document.TimeZone}' is not a time zone (use an IANA name such as Europe/Rome)";
            return false;
        }
        var weekly = new Dictionary<DayOfWeek, List<(TimeSpan, TimeSpan)>>();
        foreach (var (day, ranges) in document.Weekly ?? [])
        {
            if (!Enum.TryParse<DayOfWeek>(day, ignoreCase: true, out var dayOfWeek) || int.TryParse(day, out _))
            {
                error = $"weekly: '{day}' is not a day of the week (monday … sunday)";
                return false;
            }
            var parsed = new List<(TimeSpan, TimeSpan)>();
            foreach (var range in ranges ?? [])
            {
                if (Range(range) is not { } r)
                {
                    error = $"weekly.{day}: '{range}' is not a range such as 09:00-17:30";
                    return false;
                }
                parsed.Add(r);
            }
            weekly[dayOfWeek] = parsed.OrderBy(r => r.Item1).ToList();
        }
        var holidays = new HashSet<DateOnly>();
        foreach (var holiday in document.Holidays ?? [])
        {
            if (!DateOnly.TryParseExact(holiday, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            {
                error = $"holidays: '{holiday}' is not a date such as 2026-12-25";
                return false;
            }
            holidays.Add(date);
        }
        hours = new WorkingHours(zone, weekly, holidays);
        error = null;
        return true;
    }

    /// <summary>Open at that instant.</summary>
    public bool IsOpen(DateTimeOffset at) => ClosesAt(at) is not null;

    /// <summary>When the opening that <paramref name="at"/> falls in ends (continuing across midnight), or null when closed then.</summary>
    public DateTimeOffset? ClosesAt(DateTimeOffset at)
    {
        DateTimeOffset? end = null;
        var cursor = at;
        // follow contiguous openings for up to a week (hours open round the clock never close)
        for (var i = 0; i < 8 * 7; i++)
        {
            var local = TimeZoneInfo.ConvertTime(cursor, Zone);
            var open = Intervals(DateOnly.FromDateTime(local.DateTime))
                .FirstOrDefault(r => r.From <= local.TimeOfDay && local.TimeOfDay < r.To);
            if (open == default)
            {
                return end;
            }
            end = ToInstant(DateOnly.FromDateTime(local.DateTime), open.To);
            if (end <= cursor)
            {
                return end;
            }
            cursor = end.Value;
        }
        return end;
    }

    /// <summary>The next instant at or after <paramref name="at"/> when it is open (within two weeks), or null.</summary>
    public DateTimeOffset? OpensAt(DateTimeOffset at)
    {
        if (IsOpen(at))
        {
            return at;
        }
        var localDay = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(at, Zone).DateTime);
        for (var d = 0; d <= 14; d++)
        {
            var day = localDay.AddDays(d);
            foreach (var (from, _) in Intervals(day))
            {
                var start = ToInstant(day, from);
                if (start >= at)
                {
                    return start;
                }
            }
        }
        return null;
    }

    /// <summary>"Monday 09:00 (Europe/Rome)": an instant as people of that zone read it.</summary>
    public string Describe(DateTimeOffset at)
    {
        var local = TimeZoneInfo.ConvertTime(at, Zone);
        return local.ToString("dddd HH:mm", CultureInfo.InvariantCulture) + $" ({Zone.Id})";
    }

    private IEnumerable<(TimeSpan From, TimeSpan To)> Intervals(DateOnly day) =>
        _holidays.Contains(day) ? [] : _weekly.GetValueOrDefault(day.DayOfWeek) ?? [];

    private DateTimeOffset ToInstant(DateOnly day, TimeSpan time)
    {
        var local = day.ToDateTime(TimeOnly.MinValue).Add(time);
        // a wall-clock time skipped by a daylight-saving change is taken an hour later
        while (Zone.IsInvalidTime(local))
        {
            local = local.AddHours(1);
        }
        return new DateTimeOffset(local, Zone.GetUtcOffset(local));
    }

    private static (TimeSpan, TimeSpan)? Range(string? text)
    {
        var parts = text?.Split('-', StringSplitOptions.TrimEntries);
        if (parts is not [var from, var to] || Clock(from) is not { } start || Clock(to) is not { } end || end <= start)
        {
            return null;
        }
        return (start, end);
    }

    private static TimeSpan? Clock(string text) =>
        text == "24:00" ? TimeSpan.FromHours(24)
        : TimeOnly.TryParseExact(text, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var time) ? time.ToTimeSpan() : null;

    private sealed record Document(string? TimeZone, Dictionary<string, List<string>?>? Weekly, List<string>? Holidays);
}
