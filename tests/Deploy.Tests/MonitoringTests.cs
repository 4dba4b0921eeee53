using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Routing.Deploy.Tests;

/// <summary>
/// The monitoring component (issue 19): it renders into the production overlays, every alert has a runbook, and every
/// query of the alerts and dashboards names a metric that something exports: the services' own instruments as the
/// collector's Prometheus exporter names them, or RabbitMQ's and CloudNativePG's exporters. A query naming a metric
/// nothing exports would show an empty panel or an alert that never fires.
/// </summary>
[Collection(RenderedManifestsCollection.Name)]
public sealed partial class MonitoringTests(RenderedManifests rendered)
{
    /// <summary>Exporters outside the services whose metrics the queries may use, by prefix.</summary>
    private static readonly string[] ExternalPrefixes = ["rabbitmq_", "cnpg_"];

    [Theory]
    [InlineData("overlays/prod")]
    [InlineData("overlays/prod-hpa")]
    [InlineData("overlays/prod-ingress-nginx")]
    public void Should_render_scrapes_alerts_and_dashboards(string overlay)
    {
        var objects = rendered.From(overlay);

        // the scrapes are beside the pods they scrape, in the infrastructure's namespace
        var scrapes = rendered.From(RenderedManifests.Infrastructure[overlay]).Where(m => m.Kind == "PodMonitor").ToList();
        Assert.Equal(["otel-collector", "postgres", "rabbitmq"], scrapes.Select(m => m.Name).Order());
        Assert.All(scrapes, m => Assert.Empty(m.SchemaErrors));
        Assert.DoesNotContain(objects, m => m.Kind == "PodMonitor");
        Assert.Single(objects, m => m.Kind == "PrometheusRule");
        var dashboards = Dashboards(objects);
        Assert.Equal(3, dashboards.Count);
        Assert.All(dashboards, d => Assert.NotEmpty(d["panels"]!.AsArray()));
        Assert.All(objects.Where(m => m.ApiVersion.StartsWith("monitoring.coreos.com/", StringComparison.Ordinal)), m => Assert.Empty(m.SchemaErrors));
    }

    [Fact]
    public void Should_query_only_metrics_something_exports()
    {
        var exported = ExportedMetrics();
        var queries = Queries(rendered.From("overlays/prod"));

        var unknown = queries.SelectMany(q => MetricNames(q).Where(name => !Known(name, exported)).Select(name => $"{name} in {q}")).ToList();

        Assert.True(queries.Count >= 30, $"only {queries.Count} queries found");
        Assert.True(unknown.Count == 0, "queries naming metrics nothing exports:\n" + string.Join('\n', unknown)
            + "\n\nthe services export:\n" + string.Join('\n', exported.Order()));
        // the new instruments the issue asked for are there, and used
        string[] asked = ["gateway_deliveries_pending", "gateway_deliveries_exhausted", "routing_outbox_oldest_age_seconds", "gateway_assignment_to_tool_seconds_bucket", "health_check_status"];
        Assert.All(asked, name => Assert.Contains(name, exported));
        Assert.All(asked, name => Assert.Contains(queries, q => MetricNames(q).Contains(name)));
    }

    [Theory]
    [InlineData("sum(rate(routing_time_to_assignement_seconds_bucket[5m]))", "routing_time_to_assignement_seconds_bucket")]
    [InlineData("max(gateway_deliveries_exhausted_total) > 0", "gateway_deliveries_exhausted_total")]
    [InlineData("min by (channel) (adapter_channel_health) == 0", "adapter_channel_health")]
    public void Should_catch_a_query_on_a_metric_nobody_exports(string query, string misspelt)
    {
        var exported = ExportedMetrics();

        Assert.Contains(misspelt, MetricNames(query).Where(name => !Known(name, exported)));
    }

    [Fact]
    public void Should_give_every_alert_a_runbook_section()
    {
        var runbook = File.ReadAllText(Path.Combine(Tool.RepositoryRoot, "deploy", "RUNBOOK.md"));
        var sections = runbook.Split('\n').Where(l => l.StartsWith("## ", StringComparison.Ordinal)).Select(l => l[3..].Trim()).ToList();
        var alerts = Alerts(rendered.From("overlays/prod")).ToList();

        Assert.True(alerts.Count >= 8, $"only {alerts.Count} alerts");
        foreach (var alert in alerts)
        {
            var name = alert["alert"]!.GetValue<string>();
            var url = alert["annotations"]?["runbook_url"]?.GetValue<string>() ?? "";
            Assert.True(url.EndsWith($"deploy/RUNBOOK.md#{name.ToLowerInvariant()}", StringComparison.Ordinal), $"{name}: runbook_url {url}");
            Assert.Contains(name.ToLowerInvariant(), sections);
            Assert.NotNull(alert["labels"]?["severity"]);
            Assert.NotNull(alert["annotations"]?["summary"]);
        }
        Assert.Equal(sections.Order(), alerts.Select(a => a["alert"]!.GetValue<string>().ToLowerInvariant()).Order());
    }

    private static bool Known(string name, IReadOnlySet<string> exported) =>
        exported.Contains(name) || ExternalPrefixes.Any(p => name.StartsWith(p, StringComparison.Ordinal));

    private static IEnumerable<JsonObject> Alerts(IReadOnlyList<Manifest> objects) =>
        objects.Where(m => m.Kind == "PrometheusRule")
            .SelectMany(m => m["spec.groups"]!.AsArray().SelectMany(g => g!["rules"]!.AsArray().Select(r => r!.AsObject())));

    private static List<JsonNode> Dashboards(IReadOnlyList<Manifest> objects) =>
        objects.Where(m => m.Kind == "ConfigMap" && m.Label("grafana_dashboard") == "1")
            .SelectMany(m => m.Object["data"]!.AsObject().Select(d => JsonNode.Parse(d.Value!.GetValue<string>())!)).ToList();

    private static List<string> Queries(IReadOnlyList<Manifest> objects) =>
        [.. Alerts(objects).Select(a => a["expr"]!.GetValue<string>()),
         .. Dashboards(objects).SelectMany(d => d["panels"]!.AsArray().SelectMany(p => p!["targets"]!.AsArray().Select(t => t!["expr"]!.GetValue<string>())))];

    /// <summary>The metric names of a PromQL expression: its identifiers outside label matchers, ranges and grouping, less functions and keywords.</summary>
    internal static IReadOnlyList<string> MetricNames(string query)
    {
        var bare = Matchers().Replace(query, "");
        bare = Grouping().Replace(bare, "");
        bare = Ranges().Replace(bare, "");
        return Identifiers().Matches(bare).Select(m => m.Value)
            .Where(word => !PromQlWords.Contains(word) && !PromQlFunction().IsMatch(bare[(bare.IndexOf(word, StringComparison.Ordinal) + word.Length)..]))
            .Distinct().ToList();
    }

    private static readonly HashSet<string> PromQlWords = ["by", "without", "and", "or", "unless", "on", "ignoring", "group_left", "group_right", "bool", "offset", "inf", "nan"];

    /// <summary>What the services export, as the collector's Prometheus exporter names it (ExportedMetrics).</summary>
    internal static IReadOnlySet<string> ExportedMetrics()
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        var services = Path.Combine(Tool.RepositoryRoot, "services");
        foreach (var file in Directory.EnumerateFiles(services, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                     && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)))
        {
            foreach (Match m in Instrument().Matches(File.ReadAllText(file)))
            {
                var unit = Unit().Match(m.Groups["rest"].Value) is { Success: true } u ? u.Groups[1].Value : null;
                foreach (var name in PrometheusNames(m.Groups["kind"].Value, m.Groups["name"].Value, unit))
                {
                    names.Add(name);
                }
            }
        }
        return names;
    }

    /// <summary>
    /// OpenTelemetry's Prometheus naming (the collector's exporter, add_metric_suffixes on): dots to underscores, the unit as
    /// a suffix (s: seconds; {annotations} dropped), _total for counters, _bucket, _sum and _count for histograms.
    /// </summary>
    internal static IEnumerable<string> PrometheusNames(string kind, string name, string? unit)
    {
        var prometheus = Invalid().Replace(name, "_");
        var suffix = unit switch
        {
            null or "" => null,
            "s" => "seconds",
            "ms" => "milliseconds",
            "By" => "bytes",
            "1" => kind.Contains("Gauge", StringComparison.Ordinal) ? "ratio" : null,
            _ when unit.StartsWith('{') => null,
            _ => Invalid().Replace(unit, "_"),
        };
        if (suffix is not null && !prometheus.EndsWith("_" + suffix, StringComparison.Ordinal))
        {
            prometheus += "_" + suffix;
        }
        return kind switch
        {
            "Counter" or "ObservableCounter" => [prometheus + "_total"],
            "Histogram" => [prometheus + "_bucket", prometheus + "_sum", prometheus + "_count"],
            _ => [prometheus],
        };
    }

    [GeneratedRegex("""Create(?<kind>Counter|Histogram|UpDownCounter|Gauge|ObservableGauge|ObservableCounter|ObservableUpDownCounter)(?:<[^>]+>)?\(\s*"(?<name>[^"]+)"(?<rest>[^;]*)""")]
    private static partial Regex Instrument();

    [GeneratedRegex(@"unit:\s*""([^""]*)""")]
    private static partial Regex Unit();

    [GeneratedRegex("[^A-Za-z0-9_:]")]
    private static partial Regex Invalid();

    [GeneratedRegex("""\{[^}]*\}""")]
    private static partial Regex Matchers();

    [GeneratedRegex("""\b(by|without)\s*\([^)]*\)""")]
    private static partial Regex Grouping();

    [GeneratedRegex("""\[[^\]]*\]""")]
    private static partial Regex Ranges();

    [GeneratedRegex("""[A-Za-z_:][A-Za-z0-9_:]*""")]
    private static partial Regex Identifiers();

    /// <summary>What follows a function's name: an opening parenthesis.</summary>
    [GeneratedRegex("""^\s*\(""")]
    private static partial Regex PromQlFunction();
}
