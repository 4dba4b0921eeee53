using System.Globalization;
using System.Text;

namespace Routing.Pipeline.Benchmarks;

/// <summary>The run as Markdown, in the shape the README records it.</summary>
public static class Report
{
    public static string Markdown(string command, string machine, int agents, double returning, (double Http, double Broker, double Postgres) ceilings,
        IReadOnlyDictionary<string, double> idle, IReadOnlyList<StepResult> search, StepResult? passed, StepResult? failed, IReadOnlyList<StepResult> latency)
    {
        var md = new StringBuilder();
        void Line(FormattableString line) => md.AppendLine(line.ToString(CultureInfo.InvariantCulture));
        Line($"command: `{command}`  ");
        Line($"machine: {machine}  ");
        Line($"at: {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC; {agents} agents with webhook targets; channels sms, whatsapp, facebook, twitter, email (Mailgun) in turn; {returning:P0} of messages from returning customers");
        md.AppendLine();
        md.AppendLine("| raw ceiling (32 callers back to back) | per second |");
        md.AppendLine("|---|---|");
        Line($"| HTTP POST to a bare endpoint | {ceilings.Http:F0} |");
        Line($"| RabbitMQ via MassTransit: publish (confirmed) → consume | {ceilings.Broker:F0} |");
        Line($"| PostgreSQL: one-row insert, one commit | {ceilings.Postgres:F0} |");
        md.AppendLine();
        Line($"**Sustained: {passed?.Rate ?? 0:F0} messages/s** kept up end to end{(failed is null ? "" : string.Create(CultureInfo.InvariantCulture, $"; at {failed.Rate:F0}/s {failed.Verdict}"))}.");
        md.AppendLine();
        md.AppendLine("Search (end-to-end latency is webhook sent → the agent's tool received it; ms):");
        md.AppendLine();
        md.AppendLine("| offered/s | sent/s | webhook p99 | received→routed p50 / p99 | routed→gateway p50 / p99 | gateway→tool p50 / p99 | end to end p50 / p99 | cores busy | verdict |");
        md.AppendLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var s in search)
        {
            Line($"| {s.Rate:F0} | {s.SentRate:F0} | {Percentiles.Ms(P(s, "webhook answered").P99)} | {Pair(s, "received → routed")} | {Pair(s, "routed → gateway")} | {Pair(s, "gateway → tool 2xx")} | {Pair(s, "end to end")} | {s.Cores["machine"]:F2} | {s.Verdict} |");
        }
        if (latency.Count > 0)
        {
            md.AppendLine();
            md.AppendLine("Latency by stage at 25, 50 and 75 % of the sustained rate (ms, p50 / p99 / p99.9):");
            md.AppendLine();
            md.AppendLine("| stage | " + string.Join(" | ", latency.Select(l => string.Create(CultureInfo.InvariantCulture, $"{l.Label}: {l.Rate:F0}/s ({l.Messages} messages)"))) + " |");
            md.AppendLine("|---|" + string.Concat(latency.Select(_ => "---|")));
            foreach (var (stage, _) in Stage.All)
            {
                md.AppendLine($"| {stage} | " + string.Join(" | ", latency.Select(l => Triple(l.Stages[stage]))) + " |");
            }
            md.AppendLine("| verdict | " + string.Join(" | ", latency.Select(l => l.Verdict)) + " |");
        }
        md.AppendLine();
        md.AppendLine("Where the processors went (cores; 1.00 is one core busy for the whole step; idle is the stack at rest for 5 s):");
        md.AppendLine();
        md.AppendLine("| step | " + string.Join(" | ", CpuUse.Parts) + " |");
        md.AppendLine("|---|" + string.Concat(CpuUse.Parts.Select(_ => "---|")));
        md.AppendLine("| idle | " + string.Join(" | ", CpuUse.Parts.Select(p => idle[p].ToString("F2", CultureInfo.InvariantCulture))) + " |");
        foreach (var step in search.Concat(latency))
        {
            md.AppendLine(string.Create(CultureInfo.InvariantCulture, $"| {step.Label} {step.Rate:F0}/s | ") + string.Join(" | ", CpuUse.Parts.Select(p => step.Cores[p].ToString("F2", CultureInfo.InvariantCulture))) + " |");
        }
        foreach (var step in new[] { passed, failed }.OfType<StepResult>())
        {
            md.AppendLine();
            Line($"PostgreSQL at {step.Rate:F0}/s: {step.StatementsPerMessage:F1} statements and {step.CommitsPerMessage:F1} commits per message (every service, including deliveries); its time (pg_stat_statements over the step, top 10 by total time):");
            md.AppendLine();
            md.AppendLine("| database | statement | calls | mean ms | total ms |");
            md.AppendLine("|---|---|---|---|---|");
            foreach (var statement in step.Statements)
            {
                Line($"| {statement.Database} | `{statement.Text.Replace("|", "\\|", StringComparison.Ordinal)}` | {statement.Calls} | {statement.MeanMs:F2} | {statement.TotalMs:F0} |");
            }
        }
        return md.ToString();
    }

    private static Percentiles P(StepResult step, string stage) => step.Stages[stage];

    private static string Pair(StepResult step, string stage) => $"{Percentiles.Ms(P(step, stage).P50)} / {Percentiles.Ms(P(step, stage).P99)}";

    private static string Triple(Percentiles p) => $"{Percentiles.Ms(p.P50)} / {Percentiles.Ms(p.P99)} / {Percentiles.Ms(p.P999)}";
}
