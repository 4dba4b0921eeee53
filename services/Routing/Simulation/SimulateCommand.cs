using System.Globalization;
using System.Text.Json;

namespace Routing.Simulation;

/// <summary>
/// <c>Routing simulate --scenario FILE [--out DIR]</c>: the scenario's policies and hold sweep on its traffic, written as
/// DIR/report.html (charts, self-contained) and DIR/report.json, with a table on standard output. Exit code 0 when it ran,
/// 2 when the arguments or the scenario are wrong (the message names what).
/// </summary>
internal static class SimulateCommand
{
    public const string Usage = "usage: Routing simulate --scenario FILE [--out DIR]";

    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        string? scenarioPath = null;
        var outDir = "simulation";
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--scenario" when i + 1 < args.Count:
                    scenarioPath = args[++i];
                    break;
                case "--out" when i + 1 < args.Count:
                    outDir = args[++i];
                    break;
                default:
                    error.WriteLine($"simulate: unknown or incomplete argument '{args[i]}'");
                    error.WriteLine(Usage);
                    return 2;
            }
        }
        if (scenarioPath is null)
        {
            error.WriteLine(Usage);
            return 2;
        }

        Scenario scenario;
        try
        {
            scenario = Scenario.Load(scenarioPath);
        }
        catch (JsonException e)
        {
            error.WriteLine($"simulate: {scenarioPath} is not a scenario: {e.Message}");
            return 2;
        }
        catch (Exception e) when (e is ScenarioException or IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"simulate: {scenarioPath}: {e.Message}");
            return 2;
        }

        SimReport report;
        try
        {
            report = Simulator.Run(scenario, new RoutingOptions(), TimeProvider.System, line => { lock (output) { output.WriteLine(line); } });
        }
        catch (ScenarioException e)
        {
            error.WriteLine($"simulate: {scenarioPath}: {e.Message}");
            return 2;
        }
        Directory.CreateDirectory(outDir);
        var json = Path.Combine(outDir, "report.json");
        var html = Path.Combine(outDir, "report.html");
        File.WriteAllText(json, JsonSerializer.Serialize(report, Scenario.Json));
        File.WriteAllText(html, ReportPage.Render(report));
        output.Write(Table(report));
        output.WriteLine($"report: {html} and {json} ({report.TotalSeconds:0.0} s on {report.Cores} cores)");
        return 0;
    }

    /// <summary>The report's main figures as a plain-text table.</summary>
    public static string Table(SimReport report)
    {
        var text = new System.Text.StringBuilder();
        var c = CultureInfo.InvariantCulture;
        text.AppendLine(c, $"{"policy",-30} {"hit",6} {"working",8} {"on shift",9} {"p50 s",7} {"p95 s",7} {"p99 s",7} {"abandon",8} {"util",5} {"cv",5} {"holds",7} {"->fallback",10}");
        foreach (var r in report.Policies.Concat(report.HoldSweep))
        {
            var s = r.Summary;
            text.AppendLine(c,
                $"{s.Policy,-30} {Pct(s.PreferredHitRate),6} {Pct(s.PreferredHitRateWhenWorking),8} {Pct(s.PreferredHitRateWhenOnShift),9} {s.Wait.P50,7:0} {s.Wait.P95,7:0} {s.Wait.P99,7:0} {Pct(s.AbandonedShare),8} {s.Utilisation.Mean,5:0.00} {s.Utilisation.Variation,5:0.00} {s.Holds,7} {s.HoldsEndedInFallback,10}");
        }
        var goal = report.Goal;
        var verdict = goal.Met is { } met ? $"met by {met}" : "not met by any run";
        var onShift = goal.MetOnShift is { } metOnShift ? $"met by {metOnShift}" : "not met by any run";
        var ceiling = goal.Lines.Count > 0 ? goal.Lines.Max(l => l.WorkingCeiling) : 0;
        text.AppendLine(c, $"goal: >= {GoalCheck.HitTarget:P0} hit when the preferred agent works that day, p95 wait <= {goal.WaitLimit:0.#} s (round robin {goal.RoundRobinP95:0.#} s): {verdict}");
        text.AppendLine(c, $"      (without waiting for a shift to start, at most {ceiling:P1} is reachable); the same while the agent is on shift: {onShift}");
        return text.ToString();

        static string Pct(double share) => share.ToString("P1", CultureInfo.InvariantCulture).Replace(" ", "", StringComparison.Ordinal);
    }
}
