using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Routing.Simulation;

/// <summary>
/// The simulation report as one self-contained HTML page: tables, and charts drawn as inline SVG (no script, no stylesheet
/// or font fetched), so that it opens from a file, an e-mail attachment or an air-gapped machine alike.
/// </summary>
internal static class ReportPage
{
    private static readonly string[] Colours = ["#1b6ac9", "#d1495b", "#2e933c", "#8f5bd6", "#e08e0b", "#127a7a", "#7a4b12", "#c2227d", "#4b5563"];
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    public static string Render(SimReport report)
    {
        var all = report.Policies.Concat(report.HoldSweep).ToList();
        var html = new StringBuilder();
        html.Append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
            .Append(E($"Routing simulation: {report.Name}"))
            .Append("</title><style>")
            .Append("body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:1100px;color:#1f2933;padding:0 1rem}")
            .Append("table{border-collapse:collapse;margin:.5rem 0 1.5rem}th,td{padding:.25rem .6rem;border-bottom:1px solid #d9dee3;text-align:right}")
            .Append("th:first-child,td:first-child{text-align:left}th{background:#f1f4f7}.met{color:#1d6f2a;font-weight:600}.missed{color:#a4161a;font-weight:600}")
            .Append("figure{margin:1rem 0 2rem}figcaption{font-weight:600;margin-bottom:.3rem}svg text{font:12px system-ui,sans-serif;fill:#1f2933}")
            .Append("pre{background:#f6f8fa;padding:1rem;overflow:auto;font-size:12px}")
            .Append("</style></head><body>");
        html.Append("<h1>").Append(E($"Routing simulation: {report.Name}")).Append("</h1>");
        var source = report.Replay is { } replay
            ? string.Create(C, $"A replay of the routing database's record from {replay.From:yyyy-MM-dd HH:mm} to {replay.To:yyyy-MM-dd HH:mm} UTC: {report.Agents} agents, " +
                $"{replay.Conversations:N0} conversations, {replay.PresenceChanges:N0} presence changes.")
            : string.Create(C, $"{report.Scenario!.Days} days from {report.Scenario.Start:yyyy-MM-dd} ({report.Scenario.TimeZone}), {report.Agents} agents, " +
                $"{report.Arrivals:N0} customer messages starting or joining conversations, seed {report.Scenario.Seed}.");
        html.Append("<p>").Append(E(source)).Append(' ').Append(E(string.Create(C,
            $"Every policy ran on the same traffic; {all.Count} runs took {report.TotalSeconds:0.0} s on {report.Cores} cores."))).Append("</p>");

        Goal(html, report.Goal);
        Summary(html, all);
        SweepCharts(html, report);
        WaitChart(html, report.Policies);
        LoadChart(html, report.Policies);
        ByState(html, all);
        ByChannel(html, all);

        if (report.Scenario is { } scenario)
        {
            html.Append("<h2>Scenario</h2><pre>").Append(E(JsonSerializer.Serialize(scenario, Scenario.Json))).Append("</pre>");
        }
        html.Append("</body></html>");
        return html.ToString();
    }

    private static void Goal(StringBuilder html, GoalCheck goal)
    {
        html.Append("<h2>Goal</h2><p>Returning customers reach their preferred agent in at least ")
            .Append(E(GoalCheck.HitTarget.ToString("P0", C))).Append(" of conversations on days that agent works, at a p95 wait of at most ")
            .Append(E(string.Create(C, $"{goal.WaitLimit:0.#} s (round robin's {goal.RoundRobinP95:0.#} s, plus 10 %, at least 1 s)"))).Append(": ");
        html.Append(goal.Met is { } met ? $"<span class=\"met\">met by {E(met)}</span>" : "<span class=\"missed\">not met by any run</span>")
            .Append(". While the preferred agent is on shift (at work when the customer writes): ")
            .Append(goal.MetOnShift is { } onShift ? $"<span class=\"met\">met by {E(onShift)}</span>" : "<span class=\"missed\">not met by any run</span>")
            .Append(".</p><p>The ceiling is the working-day hit rate of a policy that reaches every customer whose agent is on shift: customers who ")
            .Append("write before their agent's shift starts or after it ends reach that agent only by waiting hours for them.</p>");
        html.Append("<table><tr><th>run of this project's policy</th><th>hit when working</th><th>ceiling</th><th>hit when on shift</th>")
            .Append("<th>p95 wait (s)</th><th>working-day goal</th><th>on-shift goal</th><th>wait</th></tr>");
        foreach (var line in goal.Lines)
        {
            html.Append("<tr><td>").Append(E(line.Policy)).Append("</td><td>").Append(Pct(line.HitRateWhenWorking)).Append("</td><td>")
                .Append(Pct(line.WorkingCeiling)).Append("</td><td>").Append(Pct(line.HitRateWhenOnShift)).Append("</td><td>")
                .Append(Num(line.P95Wait)).Append("</td><td>").Append(Mark(line.HitMet)).Append("</td><td>").Append(Mark(line.OnShiftHitMet))
                .Append("</td><td>").Append(Mark(line.WaitMet)).Append("</td></tr>");
        }
        html.Append("</table>");

        static string Mark(bool met) => met ? "<span class=\"met\">met</span>" : "<span class=\"missed\">missed</span>";
    }

    private static void Summary(StringBuilder html, List<SimResult> all)
    {
        html.Append("<h2>Policies side by side</h2><table><tr><th>policy</th><th>preferred hit</th><th>when working</th><th>when on shift</th>")
            .Append("<th>any preferred</th><th>wait p50 (s)</th><th>p95</th><th>p99</th><th>abandoned</th><th>utilisation</th><th>spread (cv)</th>")
            .Append("<th>holds</th><th>held, then fallback</th><th>transfers</th><th>run (s)</th></tr>");
        foreach (var r in all)
        {
            var s = r.Summary;
            html.Append("<tr><td>").Append(E(s.Policy)).Append("</td><td>").Append(Pct(s.PreferredHitRate)).Append("</td><td>")
                .Append(Pct(s.PreferredHitRateWhenWorking)).Append("</td><td>").Append(Pct(s.PreferredHitRateWhenOnShift)).Append("</td><td>")
                .Append(Pct(s.AnyPreferredRate)).Append("</td><td>").Append(Num(s.Wait.P50)).Append("</td><td>").Append(Num(s.Wait.P95)).Append("</td><td>")
                .Append(Num(s.Wait.P99)).Append("</td><td>").Append(Pct(s.AbandonedShare)).Append("</td><td>").Append(Pct(s.Utilisation.Mean)).Append("</td><td>")
                .Append(s.Utilisation.Variation.ToString("0.000", C)).Append("</td><td>").Append(s.Holds.ToString("N0", C)).Append("</td><td>")
                .Append(s.HoldsEndedInFallback.ToString("N0", C)).Append("</td><td>").Append(s.Transfers.ToString(C)).Append("</td><td>")
                .Append(r.Seconds.ToString("0.0", C)).Append("</td></tr>");
        }
        html.Append("</table><p>Preferred hit: the share of returning customers' conversations their first preferred agent took (an owner, else the ")
            .Append("agent who last served them). Waits are of served conversations; abandoned ones are counted apart. Utilisation: busy slot time over ")
            .Append("capacity times time on shift; its coefficient of variation across agents measures fairness (lower is fairer). Transfers are not ")
            .Append("simulated.</p>");
    }

    private static void SweepCharts(StringBuilder html, SimReport report)
    {
        if (report.HoldSweep.Count < 2)
        {
            return;
        }
        var points = report.HoldSweep.OrderBy(r => r.SweepMinutes).ToList();
        var xs = points.Select(p => p.SweepMinutes!.Value).ToList();
        html.Append("<h2>Hit rate against hold time</h2><p>This project's policy with every channel's hold but email's set to the minutes on the ")
            .Append("horizontal axis.</p>");
        Line(html, "Preferred-agent hit rate (%) against hold (minutes)", xs,
            [
                ("when the preferred agent works that day", points.Select(p => p.Summary.PreferredHitRateWhenWorking * 100).ToList()),
                ("when the preferred agent is on shift", points.Select(p => p.Summary.PreferredHitRateWhenOnShift * 100).ToList()),
                ("overall", points.Select(p => p.Summary.PreferredHitRate * 100).ToList()),
            ], GoalCheck.HitTarget * 100, "goal", 0, 100);
        var roundRobin = report.Goal.RoundRobinP95;
        Line(html, "p95 wait (s) against hold (minutes)", xs,
            [("p95 wait", points.Select(p => p.Summary.Wait.P95).ToList())], report.Goal.WaitLimit, $"limit (round robin {roundRobin:0.#} s + 10 %)", 0, null);
    }

    private static void WaitChart(StringBuilder html, IReadOnlyList<SimResult> policies)
    {
        // the first bucket (answered within a second) dwarfs the others: it is given in the legend, the chart shows the waits
        var bounds = SimSummary.WaitBuckets;
        var labels = new List<string>();
        for (var i = 1; i < bounds.Count; i++)
        {
            labels.Add($"{Span(bounds[i - 1])}–{Span(bounds[i])}");
        }
        labels.Add($"≥{Span(bounds[^1])}");
        var shares = policies.Select(p =>
        {
            var histogram = p.Summary.WaitHistogram;
            var served = Math.Max(1, histogram.Sum());
            return histogram.Select(count => count * 100.0 / served).ToList();
        }).ToList();
        var max = Math.Max(1, shares.SelectMany(s => s.Skip(1)).DefaultIfEmpty(0).Max() * 1.1);
        html.Append("<h2>Wait distributions per policy</h2><p>The share of served conversations in each band of wait; the share answered ")
            .Append("within a second is in the legend.</p>");
        const int width = 1000, height = 300, left = 50, bottom = 40, top = 20;
        var groups = labels.Count;
        var groupWidth = (width - left - 10) / (double)groups;
        var barWidth = groupWidth * 0.8 / Math.Max(1, policies.Count);
        var svg = new StringBuilder();
        svg.Append(C, $"<svg viewBox=\"0 0 {width} {height + 30 * ((policies.Count + 2) / 3)}\" width=\"100%\" role=\"img\" aria-label=\"Share of served conversations by wait, per policy\">");
        Axes(svg, left, top, width - 10, height - bottom, 0, max, "%");
        for (var p = 0; p < policies.Count; p++)
        {
            for (var g = 0; g < groups && g + 1 < shares[p].Count; g++)
            {
                var share = shares[p][g + 1];
                var h = share / max * (height - bottom - top);
                var x = left + g * groupWidth + groupWidth * 0.1 + p * barWidth;
                svg.Append(C, $"<rect x=\"{x:0.#}\" y=\"{height - bottom - h:0.#}\" width=\"{barWidth:0.#}\" height=\"{h:0.#}\" fill=\"{Colours[p % Colours.Length]}\"><title>{E(policies[p].Summary.Policy)}, {E(labels[g])}: {share:0.00} %</title></rect>");
            }
        }
        for (var g = 0; g < groups; g++)
        {
            svg.Append(C, $"<text x=\"{left + (g + 0.5) * groupWidth:0.#}\" y=\"{height - bottom + 16}\" text-anchor=\"middle\">{E(labels[g])}</text>");
        }
        Legend(svg, policies.Select((p, i) => string.Create(C, $"{p.Summary.Policy} ({shares[i].FirstOrDefault():0.0} % within 1 s)")).ToList(), left, height + 5);
        svg.Append("</svg>");
        html.Append("<figure><figcaption>Share of served conversations (%) by wait</figcaption>").Append(svg).Append("</figure>");
    }

    private static void LoadChart(StringBuilder html, IReadOnlyList<SimResult> policies)
    {
        html.Append("<h2>Load per agent</h2><p>Each agent's utilisation over the month, agents sorted from least to most loaded: a flat line is a fair ")
            .Append("policy, a steep one loads some agents far more than others.</p>");
        var series = policies.Select(p => (p.Summary.Policy, (IReadOnlyList<double>)p.Summary.UtilisationByAgent.Where(u => u > 0).Order().Select(u => u * 100).ToList())).ToList();
        var count = series.Max(s => s.Item2.Count);
        Line(html, "Utilisation (%) by agent, least loaded first", Enumerable.Range(1, count).Select(i => (double)i).ToList(),
            series.Select(s => (s.Policy, s.Item2.ToList())).ToList(), null, null, 0, null, markers: false);
    }

    private static void ByState(StringBuilder html, List<SimResult> all)
    {
        html.Append("<h2>Where the preferred agent was</h2><p>Returning customers' conversations by where their first preferred agent was when ")
            .Append("they wrote, and the share that agent took: the misses a setting or a rule could still win back.</p><table><tr><th>policy</th>");
        var states = all[0].Summary.ByPreferredState.Select(s => s.State).ToList();
        foreach (var state in states)
        {
            html.Append("<th>").Append(E(StateLabel(state))).Append("</th>");
        }
        html.Append("</tr><tr><td>conversations</td>");
        foreach (var s in all[0].Summary.ByPreferredState)
        {
            html.Append("<td>").Append(s.Conversations.ToString("N0", C)).Append("</td>");
        }
        html.Append("</tr>");
        foreach (var r in all)
        {
            html.Append("<tr><td>").Append(E(r.Summary.Policy)).Append("</td>");
            foreach (var s in r.Summary.ByPreferredState)
            {
                html.Append("<td>").Append(Pct(s.HitRate)).Append("</td>");
            }
            html.Append("</tr>");
        }
        html.Append("</table>");
    }

    private static void ByChannel(StringBuilder html, List<SimResult> all)
    {
        html.Append("<h2>Waits per channel (s)</h2><table><tr><th>policy</th><th>channel</th><th>served</th><th>abandoned</th><th>p50</th><th>p95</th><th>p99</th><th>mean</th></tr>");
        foreach (var r in all)
        {
            foreach (var w in r.Summary.WaitByChannel)
            {
                html.Append("<tr><td>").Append(E(r.Summary.Policy)).Append("</td><td>").Append(E(w.Channel)).Append("</td><td>")
                    .Append(w.Served.ToString("N0", C)).Append("</td><td>").Append(w.Abandoned.ToString("N0", C)).Append("</td><td>")
                    .Append(Num(w.P50)).Append("</td><td>").Append(Num(w.P95)).Append("</td><td>").Append(Num(w.P99)).Append("</td><td>")
                    .Append(Num(w.Mean)).Append("</td></tr>");
            }
        }
        html.Append("</table>");
    }

    /// <summary>A line chart: one line per series over the same x values, with an optional dashed reference line.</summary>
    private static void Line(StringBuilder html, string title, IReadOnlyList<double> xs, IReadOnlyList<(string Name, List<double> Ys)> series,
        double? reference, string? referenceLabel, double yMin, double? yMax, bool markers = true)
    {
        const int width = 1000, height = 300, left = 50, right = 990, top = 20, bottom = 260;
        var max = yMax ?? Math.Max(1, Math.Max(series.SelectMany(s => s.Ys).DefaultIfEmpty(0).Max(), reference ?? 0) * 1.1);
        var xMin = xs.Min();
        var xMax = Math.Max(xs.Max(), xMin + 1);
        double X(double x) => left + (x - xMin) / (xMax - xMin) * (right - left);
        double Y(double y) => bottom - (y - yMin) / (max - yMin) * (bottom - top);
        var svg = new StringBuilder();
        svg.Append(C, $"<svg viewBox=\"0 0 {width} {height + 30 * ((series.Count + 2) / 3)}\" width=\"100%\" role=\"img\" aria-label=\"{E(title)}\">");
        Axes(svg, left, top, right, bottom, yMin, max, "");
        if (markers)
        {
            foreach (var x in xs)
            {
                svg.Append(C, $"<text x=\"{X(x):0.#}\" y=\"{bottom + 16}\" text-anchor=\"middle\">{x:0.##}</text>");
            }
        }
        else
        {
            svg.Append(C, $"<text x=\"{left}\" y=\"{bottom + 16}\">{xMin:0}</text><text x=\"{right}\" y=\"{bottom + 16}\" text-anchor=\"end\">{xMax:0}</text>");
        }
        if (reference is { } r && !double.IsInfinity(r))
        {
            svg.Append(C, $"<line x1=\"{left}\" x2=\"{right}\" y1=\"{Y(Math.Min(r, max)):0.#}\" y2=\"{Y(Math.Min(r, max)):0.#}\" stroke=\"#a4161a\" stroke-dasharray=\"6 4\"/>")
                .Append(C, $"<text x=\"{right}\" y=\"{Y(Math.Min(r, max)) - 4:0.#}\" text-anchor=\"end\" fill=\"#a4161a\">{E(referenceLabel ?? "")}</text>");
        }
        for (var s = 0; s < series.Count; s++)
        {
            var colour = Colours[s % Colours.Length];
            var path = string.Join(' ', series[s].Ys.Select((y, i) => string.Create(C, $"{X(xs[i]):0.#},{Y(y):0.#}")));
            svg.Append(C, $"<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" points=\"{path}\"/>");
            if (markers)
            {
                for (var i = 0; i < series[s].Ys.Count; i++)
                {
                    svg.Append(C, $"<circle cx=\"{X(xs[i]):0.#}\" cy=\"{Y(series[s].Ys[i]):0.#}\" r=\"4\" fill=\"{colour}\"><title>{E(series[s].Name)}: {xs[i]:0.##} → {series[s].Ys[i]:0.#}</title></circle>");
                }
            }
        }
        Legend(svg, series.Select(s => s.Name).ToList(), left, height + 5);
        svg.Append("</svg>");
        html.Append("<figure><figcaption>").Append(E(title)).Append("</figcaption>").Append(svg).Append("</figure>");
    }

    private static void Axes(StringBuilder svg, int left, int top, int right, int bottom, double min, double max, string unit)
    {
        svg.Append(C, $"<line x1=\"{left}\" y1=\"{bottom}\" x2=\"{right}\" y2=\"{bottom}\" stroke=\"#52606d\"/><line x1=\"{left}\" y1=\"{top}\" x2=\"{left}\" y2=\"{bottom}\" stroke=\"#52606d\"/>");
        for (var i = 0; i <= 4; i++)
        {
            var value = min + (max - min) * i / 4;
            var y = bottom - (bottom - top) * i / 4.0;
            svg.Append(C, $"<line x1=\"{left}\" x2=\"{right}\" y1=\"{y:0.#}\" y2=\"{y:0.#}\" stroke=\"#e4e7eb\"/><text x=\"{left - 6}\" y=\"{y + 4:0.#}\" text-anchor=\"end\">{value:0.#}{unit}</text>");
        }
    }

    private static void Legend(StringBuilder svg, IReadOnlyList<string> names, int left, int top)
    {
        for (var i = 0; i < names.Count; i++)
        {
            var x = left + i % 3 * 320;
            var y = top + i / 3 * 24;
            svg.Append(C, $"<rect x=\"{x}\" y=\"{y}\" width=\"14\" height=\"14\" fill=\"{Colours[i % Colours.Length]}\"/><text x=\"{x + 20}\" y=\"{y + 12}\">{E(names[i])}</text>");
        }
    }

    private static string StateLabel(string state) => state switch
    {
        nameof(PreferredState.Free) => "on shift, free",
        nameof(PreferredState.Busy) => "on shift, every slot taken",
        nameof(PreferredState.OnBreak) => "on a break",
        nameof(PreferredState.BeforeShift) => "shift not started",
        nameof(PreferredState.AfterShift) => "shift over",
        nameof(PreferredState.OffDay) => "not working that day",
        _ => state,
    };

    private static string Span(double seconds) => seconds switch
    {
        >= 3600 => string.Create(C, $"{seconds / 3600:0.#} h"),
        >= 60 => string.Create(C, $"{seconds / 60:0.#} min"),
        _ => string.Create(C, $"{seconds:0} s"),
    };

    private static string Pct(double share) => share.ToString("0.0 %", C);

    private static string Num(double value) => value.ToString("0.#", C);

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
