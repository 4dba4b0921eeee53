using System.Globalization;
using Microsoft.Extensions.Options;
using Routing.Database;

namespace Routing.ServiceLevels;

/// <summary>
/// Service levels over a period, per team and channel: time in queue, first response, handle time, abandonment, the
/// service level against each channel's first-response target, and the preferred-agent hit rate.
/// </summary>
internal static class ServiceLevelsApi
{
    /// <summary>The longest period one report covers.</summary>
    public static readonly TimeSpan LongestPeriod = TimeSpan.FromDays(366);

    private const string InstantFormat = "must be an instant in ISO 8601 with an offset: 2026-12-01T00:00:00Z, or +01:00 written %2B01:00 in a URL";

    public static IEndpointRouteBuilder MapServiceLevelsApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/reports").WithTags("Reports")
            .MapGet("/service-levels", ReportAsync).Produces<ServiceLevelReport>();
        return app;
    }

    /// <param name="from">The period's start (ISO 8601 with an offset): conversations that started from then; default: a day before <paramref name="to"/>.</param>
    /// <param name="to">The period's end, excluded; default: now.</param>
    /// <param name="team">Only the conversations of this team.</param>
    /// <param name="channel">Only the conversations on this channel.</param>
    private static async Task<IResult> ReportAsync(string? from, string? to, string? team, string? channel, RoutingDb db, IOptions<RoutingOptions> options,
        CancellationToken ct)
    {
        var now = db.Now;
        if (!TryInstant(to, now, out var end))
        {
            return Problems.Invalid("to", InstantFormat);
        }
        if (!TryInstant(from, end - TimeSpan.FromDays(1), out var start))
        {
            return Problems.Invalid("from", InstantFormat);
        }
        if (start >= end)
        {
            return Problems.Invalid("from", "must be before to");
        }
        if (end - start > LongestPeriod)
        {
            return Problems.Invalid("from", $"a report covers at most {LongestPeriod.TotalDays} days");
        }
        if (team is not null && !Problems.IsValidId(team))
        {
            return Problems.Invalid("team", "must be a team name (letters, digits, '.', '_', '@' or '-')");
        }
        if (channel is not null && !Problems.IsValidId(channel))
        {
            return Problems.Invalid("channel", "must be a channel name (sms, email, whatsapp, ...)");
        }
        var o = options.Value;
        await using var tx = await db.BeginAsync(ct);
        var rows = await ServiceLevelStore.ReportAsync(tx, start, end, team?.ToLowerInvariant(), channel?.ToLowerInvariant(), o.FirstResponseTarget,
            o.DefaultFirstResponseTarget, ct);
        return Results.Ok(new ServiceLevelReport(start, end, tx.Now, ServiceLevelGroup.From(rows.Single(r => r.Total)),
            rows.Where(r => !r.Total).Select(ServiceLevelGroup.From).ToList()));
    }

    private static bool TryInstant(string? text, DateTimeOffset fallback, out DateTimeOffset instant)
    {
        if (text is null)
        {
            instant = fallback;
            return true;
        }
        // an offset is required: a bare local time would mean whatever the server's zone is
        instant = default;
        return DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var parsed) && parsed.Kind != DateTimeKind.Unspecified
               && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out instant);
    }
}

/// <summary>
/// The service levels of the conversations that started in [from, to): in <see cref="Total"/>, and per team (null: no team) and
/// channel in <see cref="Groups"/>.
/// </summary>
internal sealed record ServiceLevelReport(DateTimeOffset From, DateTimeOffset To, DateTimeOffset GeneratedAt, ServiceLevelGroup Total,
    IReadOnlyList<ServiceLevelGroup> Groups);

/// <param name="Conversations">Conversations that started in the period (a merge's absorbed ones left out).</param>
/// <param name="Waiting">Of those, waiting now (queued or held).</param>
/// <param name="Assigned">Reached an agent.</param>
/// <param name="Abandoned">Closed before they reached any agent.</param>
/// <param name="AbandonmentRate">Abandoned / (abandoned + assigned); null when neither.</param>
/// <param name="Answered">An agent's reply was sent.</param>
/// <param name="Unanswered">Closed after reaching an agent, with no agent's reply sent.</param>
/// <param name="TimeInQueue">From the first message to the first assignment (holds for a preferred agent included).</param>
/// <param name="FirstResponse">From the first message to the first agent's reply the channel sent.</param>
/// <param name="HandleTime">Of the closed ones: from assignment to close (an idle close: to the last message either way).</param>
/// <param name="ServiceLevel">First responses within the channel's target.</param>
/// <param name="PreferredAgent">Of the conversations whose customer had preferred agents, those whose first assignment was to one.</param>
internal sealed record ServiceLevelGroup(string? Team, string? Channel, long Conversations, long Waiting, long Assigned, long Abandoned,
    double? AbandonmentRate, long Answered, long Unanswered, DurationSummary TimeInQueue, DurationSummary FirstResponse, DurationSummary HandleTime,
    ServiceLevelTarget ServiceLevel, PreferredAgentRate PreferredAgent)
{
    public static ServiceLevelGroup From(ServiceLevelRow r) => new(r.Team, r.Channel, r.Conversations, r.Waiting, r.Assigned, r.Abandoned,
        Rate(r.Abandoned, r.Abandoned + r.Assigned), r.Answered, r.Unanswered,
        new DurationSummary(r.Assigned, r.InQueueAverage, r.InQueueP50, r.InQueueP90, r.InQueueP99),
        new DurationSummary(r.Answered, r.FirstResponseAverage, r.FirstResponseP50, r.FirstResponseP90, r.FirstResponseP99),
        new DurationSummary(r.Handled, r.HandleAverage, r.HandleP50, r.HandleP90, r.HandleP99),
        new ServiceLevelTarget(r.TargetSeconds, r.Met, r.Missed, Rate(r.Met, r.Met + r.Missed)),
        new PreferredAgentRate(r.PreferredEligible, r.PreferredHits, Rate(r.PreferredHits, r.PreferredEligible)));

    private static double? Rate(long part, long whole) => whole == 0 ? null : (double)part / whole;
}

/// <summary>A duration's distribution over the conversations measured, in seconds; null when none was.</summary>
internal sealed record DurationSummary(long Count, double? AverageSeconds, double? P50Seconds, double? P90Seconds, double? P99Seconds);

/// <param name="TargetSeconds">The first-response target (null in a total over channels with different targets).</param>
/// <param name="Met">Answered within the target.</param>
/// <param name="Missed">Answered later, or unanswered for longer than the target (abandoned sooner: neither).</param>
/// <param name="Rate">Met / (met + missed).</param>
internal sealed record ServiceLevelTarget(double? TargetSeconds, long Met, long Missed, double? Rate);

internal sealed record PreferredAgentRate(long Eligible, long Hits, double? HitRate);
