using System.Diagnostics;
using System.Globalization;

namespace Routing.Pipeline.Benchmarks;

/// <summary>What one step at a fixed offered rate measured.</summary>
public sealed record StepResult(
    string Label,
    double Rate,
    int Messages,
    int Returning,
    double SentRate,
    int Refused,
    int Lost,
    IReadOnlyDictionary<string, Percentiles> Stages,
    bool KeptUp,
    string Verdict,
    IReadOnlyDictionary<string, double> Cores,
    IReadOnlyList<Statement> Statements,
    double StatementsPerMessage,
    double CommitsPerMessage)
{
    public Percentiles EndToEnd => Stages["end to end"];
}

/// <summary>
/// Runs steps: the generator sends for a while at a fixed rate, the stack drains, and the stores tell where each
/// message's time went. A step keeps up when every webhook was answered 200, every message reached its agent's tool,
/// the end-to-end median of its last quarter is within 1.5 times (plus 20 ms) that of its first (a backlog grows
/// linearly), and its end-to-end p99 is under 2 s.
/// </summary>
public sealed class Steps(Traffic traffic, Tool tool, CpuUse cpu, string routingDb, string gatewayDb)
{
    private static readonly TimeSpan Drain = TimeSpan.FromSeconds(90);
    /// <summary>A step whose end-to-end p99 is over this is queueing, not serving, even if its latency is not growing yet.</summary>
    private const double MaxP99 = 2000;
    private int _step;

    public async Task<StepResult> RunAsync(string label, double rate, TimeSpan duration)
    {
        var prepared = traffic.Prepare(++_step, Math.Max(1, (int)Math.Round(rate * duration.TotalSeconds)));
        var sent = prepared.Select(p => p.Sent).ToList();
        var before = await Statements.ReadAsync(routingDb);
        var commitsBefore = await Statements.CommitsAsync(routingDb);
        cpu.Start();
        var started = Stopwatch.GetTimestamp();
        await traffic.SendAsync(prepared, rate);
        var lastSent = sent.Max(s => s.At);
        var sentRate = sent.Count / Math.Max(0.001, (lastSent - sent.Min(s => s.At)).TotalSeconds) ;
        var until = Stopwatch.GetTimestamp() + (long)(Drain.TotalSeconds * Stopwatch.Frequency);
        while (sent.Any(s => s.Answer == "200" && !tool.Arrivals.ContainsKey(s.Token)) && Stopwatch.GetTimestamp() < until)
        {
            await Task.Delay(50);
        }
        var cores = cpu.Stop();
        var after = await Statements.ReadAsync(routingDb);
        // less the benchmark's own readings (two statements and a transaction each)
        var commits = await Statements.CommitsAsync(routingDb) - commitsBefore - 2;
        var statements = Statements.Since(before, after);
        var calls = Statements.Calls(before, after) - 2;
        var journeys = await Journeys.ReadAsync(routingDb, gatewayDb, sent, tool);
        var stages = Stage.All.ToDictionary(s => s.Name, s => Percentiles.Of(journeys.Select(s.Of).Where(v => v is not null).Select(v => v!.Value)));
        var refused = sent.Count(s => s.Answer != "200");
        var lost = sent.Count(s => s.Answer == "200" && !tool.Arrivals.ContainsKey(s.Token));

        var ordered = journeys.Where(j => j.EndToEnd is not null).OrderBy(j => j.Sent.At).Select(j => j.EndToEnd!.Value).ToList();
        var quarter = Math.Max(1, ordered.Count / 4);
        var first = Percentiles.Of(ordered.Take(quarter)).P50;
        var last = Percentiles.Of(ordered.Skip(ordered.Count - quarter)).P50;
        var verdict = refused > 0 ? $"{refused} webhooks not answered 200 ({string.Join(", ", sent.Where(s => s.Answer != "200").GroupBy(s => s.Answer).Select(g => $"{g.Key}: {g.Count()}"))})"
            : lost > 0 ? $"{lost} messages had not reached a tool {Drain.TotalSeconds:0} s after the last webhook"
            : last > 1.5 * first + 20 ? string.Create(CultureInfo.InvariantCulture, $"a backlog grew: end-to-end p50 {Percentiles.Ms(first)} ms in the first quarter, {Percentiles.Ms(last)} ms in the last")
            : Percentiles.Of(ordered).P99 > MaxP99 ? string.Create(CultureInfo.InvariantCulture, $"queued: end-to-end p99 {Percentiles.Ms(Percentiles.Of(ordered).P99)} ms, over {MaxP99 / 1000:0} s")
            : sentRate < rate * 0.9 ? string.Create(CultureInfo.InvariantCulture, $"the generator sent only {sentRate:F0}/s")
            : "kept up";
        var result = new StepResult(label, rate, sent.Count, sent.Count(s => s.Returning), sentRate, refused, lost, stages, verdict == "kept up", verdict, cores, statements,
            calls / (double)sent.Count, commits / (double)sent.Count);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {label} {rate:F0}/s × {duration.TotalSeconds:0} s: end to end p50 {Percentiles.Ms(result.EndToEnd.P50)} ms, p99 {Percentiles.Ms(result.EndToEnd.P99)} ms; " +
            $"cores: {string.Join(", ", cores.Where(c => c.Value >= 0.01).Select(c => $"{c.Key} {c.Value:F2}"))}; {verdict} ({Stopwatch.GetElapsedTime(started).TotalSeconds:F0} s)"));
        return result;
    }
}
