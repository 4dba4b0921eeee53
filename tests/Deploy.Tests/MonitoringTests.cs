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

    [Fact]
    public void Should_group_and_filter_only_by_labels_the_metrics_carry()
    {
        var labels = ExportedLabels();
        var queries = Queries(rendered.From("overlays/prod"));

        var unknown = queries.SelectMany(q => UnknownLabels(q, labels).Select(label => $"{label} in {q}")).ToList();

        Assert.True(unknown.Count == 0, "queries grouping or filtering by a label their metric does not carry:\n" + string.Join('\n', unknown)
            + "\n\nthe services' metrics carry:\n" + string.Join('\n', labels.Select(kv => $"{kv.Key}: {string.Join(", ", kv.Value.Order())}")));
        // the attributes are the semantic conventions' form, namespaced: never a bare word
        Assert.Contains("routing_channel", labels["routing_decisions_total"]);
        Assert.Contains("http_response_status_code", labels["adapter_send_refusals_total"]);
        Assert.DoesNotContain(labels.Values.SelectMany(l => l), label => label is "channel" or "outcome" or "kind" or "reason" or "trigger" or "status");
    }

    [Theory]
    [InlineData("sum by (channel) (rate(adapter_webhook_deliveries_total[5m]))", "channel")] // the label as it was, before the attributes were namespaced
    [InlineData("sum by (routing_channel) (rate(gateway_delivery_attempts_total[5m]))", "routing_channel")] // a label of other metrics
    [InlineData("sum(rate(routing_decisions_total{reason=\"fallback\"}[5m]))", "reason")]
    [InlineData("histogram_quantile(0.95, sum by (gateway_target_kind, le) (rate(gateway_delivery_lag_seconds_bucket[5m]))) > on (queue) rabbitmq_queue_messages", "queue")]
    public void Should_catch_a_query_on_a_label_its_metric_does_not_carry(string query, string label)
    {
        Assert.Contains(label, UnknownLabels(query, ExportedLabels()));
    }

    [Fact]
    public void Should_name_every_metric_attribute_in_one_place()
    {
        // a literal attribute name beside an instrument would bypass TelemetryAttributes and its form
        var literal = InstrumentFiles().Where(f => LiteralAttribute().IsMatch(File.ReadAllText(f)))
            .Select(f => Path.GetRelativePath(Tool.RepositoryRoot, f)).ToList();

        Assert.True(literal.Count == 0, "attribute names written as literals: " + string.Join(", ", literal));
        Assert.Matches(LiteralAttribute(), """_sends.Add(1, new("channel", channel));""");
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
    internal static IReadOnlySet<string> ExportedMetrics() => new SortedSet<string>(ExportedLabels().Keys, StringComparer.Ordinal);

    /// <summary>
    /// Each metric the services export with the labels it may carry: the attributes its declaring file records (every
    /// TelemetryAttributes constant the file uses: a file's instruments are one component's, so this errs only towards
    /// allowing a label a sibling instrument has), as Prometheus writes them, and the labels every series has.
    /// </summary>
    internal static IReadOnlyDictionary<string, IReadOnlySet<string>> ExportedLabels()
    {
        var constants = AttributeConstant().Matches(File.ReadAllText(Path.Combine(Tool.RepositoryRoot, "services", "ServiceDefaults", "TelemetryAttributes.cs")))
            .ToDictionary(m => m.Groups[1].Value, m => Invalid().Replace(m.Groups[2].Value, "_"));
        var metrics = new SortedDictionary<string, IReadOnlySet<string>>(StringComparer.Ordinal);
        foreach (var file in InstrumentFiles())
        {
            var text = File.ReadAllText(file);
            var labels = AttributeUse().Matches(text).Select(m => constants[m.Groups[1].Value]).Concat(SeriesLabels).ToHashSet();
            foreach (Match m in Instrument().Matches(text))
            {
                var unit = Unit().Match(m.Groups["rest"].Value) is { Success: true } u ? u.Groups[1].Value : null;
                foreach (var name in PrometheusNames(m.Groups["kind"].Value, m.Groups["name"].Value, unit))
                {
                    metrics[name] = name.EndsWith("_bucket", StringComparison.Ordinal) ? [.. labels, "le"] : labels;
                }
            }
        }
        return metrics;
    }

    /// <summary>Labels every series of the collector's exporter has: the resource's attributes (resource_to_telemetry_conversion), job and instance.</summary>
    private static readonly string[] SeriesLabels =
        ["job", "instance", "service_name", "service_instance_id", "service_version", "deployment_environment_name", "k8s_pod_name", "k8s_namespace_name", "otel_scope_name", "otel_scope_version"];

    private static IEnumerable<string> InstrumentFiles() =>
        Directory.EnumerateFiles(Path.Combine(Tool.RepositoryRoot, "services"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                     && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                     && Instrument().IsMatch(File.ReadAllText(f)));

    /// <summary>
    /// The labels a query uses that its metrics do not carry: in a metric's own matchers, and in a grouping (by, without,
    /// on, ignoring), which every service metric of the query must carry. Exporters outside the services are not checked.
    /// </summary>
    internal static IReadOnlyList<string> UnknownLabels(string query, IReadOnlyDictionary<string, IReadOnlySet<string>> labels)
    {
        var unknown = new List<string>();
        foreach (Match selector in Selector().Matches(query))
        {
            if (labels.TryGetValue(selector.Groups["metric"].Value, out var carried))
            {
                unknown.AddRange(MatcherLabel().Matches(selector.Groups["matchers"].Value).Select(m => m.Groups[1].Value).Where(l => !carried.Contains(l)));
            }
        }
        var metrics = MetricNames(query).Where(labels.ContainsKey).ToList();
        foreach (Match grouping in LabelList().Matches(query))
        {
            foreach (var label in grouping.Groups["labels"].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (metrics.Any(m => !labels[m].Contains(label)))
                {
                    unknown.Add(label);
                }
            }
        }
        return unknown.Distinct().ToList();
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

    [GeneratedRegex(@"public const string (\w+) = ""([^""]+)"";")]
    private static partial Regex AttributeConstant();

    [GeneratedRegex(@"TelemetryAttributes\.(\w+)")]
    private static partial Regex AttributeUse();

    /// <summary>An attribute given as a literal where an instrument records it: new("x", ...) or new KeyValuePair&lt;string, object?&gt;("x", ...).</summary>
    [GeneratedRegex(@"new(\s*KeyValuePair<string, object\?>)?\(\s*""[a-z][a-z0-9_.]*""\s*,")]
    private static partial Regex LiteralAttribute();

    [GeneratedRegex("""(?<metric>[A-Za-z_:][A-Za-z0-9_:]*)\{(?<matchers>[^}]*)\}""")]
    private static partial Regex Selector();

    [GeneratedRegex("""([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)""")]
    private static partial Regex MatcherLabel();

    [GeneratedRegex("""\b(by|without|on|ignoring)\s*\((?<labels>[^)]*)\)""")]
    private static partial Regex LabelList();

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
