using Microsoft.Extensions.Options;
using Routing.Database;

namespace Routing.Simulation;

/// <summary>
/// POST /simulations/what-if: the last days of this centre's own traffic, replayed from the routing database under the
/// settings in force and under proposed ones, side by side (the report of <c>make simulate</c>, as JSON, or as the HTML
/// page when the caller accepts text/html). One runs at a time; a second is told to come back (429).
/// </summary>
internal static class WhatIfApi
{
    public const int LongestDays = 90;
    public const int MostPolicies = 10;
    public const int MostSweepPoints = 12;
    public const int MostMoreAgents = 100;

    public static IEndpointRouteBuilder MapWhatIfApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/simulations").WithTags("Simulations")
            .MapPost("/what-if", WhatIfAsync)
            .Produces<SimReport>(StatusCodes.Status200OK, "application/json", "text/html")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        return app;
    }

    private static async Task<IResult> WhatIfAsync(HttpRequest request, RoutingDb db, IOptions<RoutingOptions> options, WhatIfGate gate, TimeProvider clock,
        CancellationToken ct)
    {
        var (ok, body, problem) = await Problems.ReadOptionalJsonAsync<WhatIfRequest>(request, ct);
        if (!ok)
        {
            return problem!;
        }
        body ??= new WhatIfRequest();
        if (Invalid(body) is { } invalid)
        {
            return invalid;
        }
        if (!gate.TryEnter())
        {
            return Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "A what-if is already running.",
                detail: "One what-if runs at a time; ask again when it has finished.");
        }
        try
        {
            var defaults = options.Value;
            var started = clock.GetTimestamp();
            var to = db.Now;
            var from = to - TimeSpan.FromDays(body.Days);
            RecordedTraffic replay;
            await using (var tx = await db.BeginAsync(ct))
            {
                replay = await RecordedTraffic.LoadAsync(tx, from, to, defaults.HistoryLookback, ct);
                await tx.CommitAsync(ct);
            }
            var read = clock.GetElapsedTime(started);
            var agents = replay.Traffic.Agents.Select(a => a.Id).ToHashSet(StringComparer.Ordinal);
            foreach (var (policy, i) in (body.Policies ?? []).Select((p, i) => (p, i)))
            {
                if (policy.MoreAgents?.FirstOrDefault(m => !agents.Contains(m.Like)) is { } unknown)
                {
                    return Problems.Invalid($"policies[{i}].moreAgents", $"there is no agent '{unknown.Like}' to add agents like");
                }
            }
            IReadOnlyList<PolicySpec> policies =
            [
                new PolicySpec { Kind = PolicyKinds.Relationship, Name = "relationship (settings in force)" },
                .. body.Policies ?? [],
                .. PolicySpec.Baselines,
            ];
            var report = await Task.Run(() => Simulator.Compare(replay.Traffic, $"what-if on the last {body.Days} days", policies,
                body.HoldSweepMinutes ?? [], defaults, clock, cancellationToken: ct), ct);
            report = report with
            {
                Replay = new ReplaySummary(from, to, replay.Conversations.Count, replay.PresenceChanges, Math.Round(read.TotalSeconds, 2)),
                TotalSeconds = Math.Round(clock.GetElapsedTime(started).TotalSeconds, 2),
            };
            return request.Headers.Accept.Any(a => a?.Contains("text/html", StringComparison.OrdinalIgnoreCase) == true)
                ? Results.Content(ReportPage.Render(report), "text/html; charset=utf-8")
                : Results.Json(report, Scenario.Json);
        }
        finally
        {
            gate.Exit();
        }
    }

    private static IResult? Invalid(WhatIfRequest body)
    {
        if (body.Days is < 1 or > LongestDays)
        {
            return Problems.Invalid("days", $"must be 1 to {LongestDays}");
        }
        if (body.Policies is { Count: > MostPolicies })
        {
            return Problems.Invalid("policies", $"at most {MostPolicies} proposals at a time");
        }
        foreach (var (policy, i) in (body.Policies ?? []).Select((p, i) => (p, i)))
        {
            if (policy.Kind != PolicyKinds.Relationship)
            {
                return Problems.Invalid($"policies[{i}].kind", $"must be {PolicyKinds.Relationship} (the baselines are always compared)");
            }
            if (policy.HoldMinutes?.Any(h => h.Value is < 0 or > PolicySpec.MostHoldMinutes || !Problems.IsValidId(h.Key)) == true)
            {
                return Problems.Invalid($"policies[{i}].holdMinutes", $"maps a channel (or \"default\") to 0 to {PolicySpec.MostHoldMinutes} minutes");
            }
            if (policy.HistoryLookbackDays is < 1 or > 3650)
            {
                return Problems.Invalid($"policies[{i}].historyLookbackDays", "must be 1 to 3650");
            }
            if (policy.MoreAgents?.Select((m, j) => (m, j)).FirstOrDefault(x => !Problems.IsValidId(x.m.Like) || x.m.Count is < 1 or > MostMoreAgents) is
                { m: not null } bad)
            {
                return Problems.Invalid($"policies[{i}].moreAgents[{bad.j}]", $"needs an agent id to be like and a count of 1 to {MostMoreAgents}");
            }
            if (policy.Name is { Length: > 100 })
            {
                return Problems.Invalid($"policies[{i}].name", "at most 100 characters");
            }
        }
        if (body.HoldSweepMinutes is { } sweep && (sweep.Count > MostSweepPoints || sweep.Any(m => m is < 0 or > 240)))
        {
            return Problems.Invalid("holdSweepMinutes", $"at most {MostSweepPoints} waits of 0 to 240 minutes");
        }
        return null;
    }
}

/// <summary>
/// What to replay: the last <see cref="Days"/> days, this project's policy under the settings in force and under each
/// proposal (hold waits per channel, history lookback, more agents like an existing one), beside the three baselines;
/// optionally the hold sweep.
/// </summary>
internal sealed record WhatIfRequest
{
    public int Days { get; init; } = 7;
    public List<PolicySpec>? Policies { get; init; }
    public List<double>? HoldSweepMinutes { get; init; }
}

/// <summary>One what-if at a time: each holds a period's traffic in memory and keeps the cores busy for seconds.</summary>
internal sealed class WhatIfGate
{
    private readonly SemaphoreSlim _one = new(1, 1);

    public bool TryEnter() => _one.Wait(0);

    public void Exit() => _one.Release();
}
