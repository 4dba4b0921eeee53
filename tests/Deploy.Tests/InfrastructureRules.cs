using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Routing.Deploy.Tests;

/// <summary>
/// The platform in a namespace of its own that enforces the "restricted" Pod Security Standard, and the infrastructure
/// (operators' pods, which do not all meet it) in another (issue 19). The two name each other: the platform every address
/// and reference of the infrastructure's namespace, the infrastructure the platform's namespace where it admits it (the
/// topology operator's allowed namespaces, the Gateway's allowed routes). A name that differs on one side is an install
/// that renders and applies, then cannot resolve the broker, log in to a database or attach a route.
/// </summary>
internal static partial class InfrastructureRules
{
    /// <summary>What the platform's overlay names of the infrastructure's (the ConfigMap "infrastructure", key namespace).</summary>
    public static string? NamespaceNamed(IReadOnlyList<Manifest> platform) =>
        platform.FirstOrDefault(m => m is { Kind: "ConfigMap", Name: "infrastructure" })?["data.namespace"]?.GetValue<string>();

    /// <summary>Every way <paramref name="platform"/> and <paramref name="infrastructure"/> fail to meet, as sentences.</summary>
    public static IReadOnlyList<string> Gaps(IReadOnlyList<Manifest> platform, IReadOnlyList<Manifest> infrastructure)
    {
        var gaps = new List<string>();
        var appNamespace = platform.FirstOrDefault(m => m.Kind == "Namespace");
        var infraNamespace = infrastructure.FirstOrDefault(m => m.Kind == "Namespace");
        if (appNamespace is null || infraNamespace is null)
        {
            gaps.Add("each side declares its Namespace");
            return gaps;
        }
        var app = appNamespace.Name;
        var infra = infraNamespace.Name;
        if (app == infra)
        {
            gaps.Add($"the platform and its infrastructure share the namespace {app}");
        }
        if (appNamespace.Label("pod-security.kubernetes.io/enforce") != "restricted")
        {
            gaps.Add($"{appNamespace}: does not enforce the restricted Pod Security Standard");
        }
        foreach (var m in platform.Where(m => m.Kind is "RabbitmqCluster" or "Cluster" or "OpenTelemetryCollector" or "Gateway"))
        {
            gaps.Add($"{m}: an operator's workload in the platform's namespace (it belongs in the infrastructure's)");
        }
        if (NamespaceNamed(platform) != infra)
        {
            gaps.Add($"ConfigMap/infrastructure: names {NamespaceNamed(platform) ?? "no namespace"}, not {infra}");
        }

        CheckAddresses(platform, infrastructure, infra, gaps);
        CheckBrokerTopology(platform, infrastructure, app, infra, gaps);
        CheckRoutes(platform, infrastructure, app, infra, gaps);
        CheckNetworkPolicies(platform, infrastructure, infra, gaps);
        return gaps;
    }

    /// <summary>The broker, the collector and each database by their Services' fully qualified names, with the owner's credentials.</summary>
    private static void CheckAddresses(IReadOnlyList<Manifest> platform, IReadOnlyList<Manifest> infrastructure, string infra, List<string> gaps)
    {
        var brokers = infrastructure.Where(m => m.Kind == "RabbitmqCluster").Select(m => $"{m.Name}.{infra}.svc").ToHashSet();
        var collectors = infrastructure.Where(m => m.Kind == "OpenTelemetryCollector").Select(m => $"{m.Name}-collector.{infra}.svc").ToHashSet();
        var databases = infrastructure.Where(m => m.Kind == "Cluster")
            .ToDictionary(m => $"{m.Name}-rw.{infra}.svc", m => m["spec.bootstrap.initdb.secret.name"]?.GetValue<string>());
        foreach (var owner in platform.Where(m => m.Kind is "Deployment" or "Job"))
        {
            var configuration = ManifestRules.Configuration(owner, platform);
            if (owner.Kind == "Deployment")
            {
                if (!brokers.Contains(Host(configuration.GetValueOrDefault("RabbitMq__Url"))))
                {
                    gaps.Add($"{owner}: RabbitMq__Url {configuration.GetValueOrDefault("RabbitMq__Url")} is not a RabbitmqCluster's Service in {infra}");
                }
                if (!collectors.Contains(Host(configuration.GetValueOrDefault("OTEL_EXPORTER_OTLP_ENDPOINT"))))
                {
                    gaps.Add($"{owner}: OTEL_EXPORTER_OTLP_ENDPOINT is not a collector's Service in {infra}");
                }
            }
            var env = owner["spec.template.spec.containers.0.env"]?.AsArray() ?? [];
            foreach (var (name, value) in configuration.Where(kv => kv.Key.StartsWith("ConnectionStrings__", StringComparison.Ordinal)))
            {
                var host = ConnectionHost().Match(value) is { Success: true } h ? h.Groups[1].Value : "";
                if (!databases.TryGetValue(host, out var ownerSecret))
                {
                    gaps.Add($"{owner}: {name} connects to {(host.Length > 0 ? host : "no host")}, not a CloudNativePG Cluster's -rw Service in {infra}");
                    continue;
                }
                var read = env.Where(e => e!["name"]?.GetValue<string>() is "DB_USER" or "DB_PASSWORD")
                    .Select(e => e!["valueFrom"]?["secretKeyRef"]?["name"]?.GetValue<string>()).Distinct().ToList();
                if (ownerSecret is null || read.Count != 1 || read[0] != ownerSecret)
                {
                    gaps.Add($"{owner}: logs in to {host} with {string.Join(", ", read)}, not the Secret its Cluster was bootstrapped with ({ownerSecret ?? "none"})");
                }
            }
        }
    }

    /// <summary>The topology operator's objects beside the services, on a cluster in the infrastructure's namespace that allows theirs.</summary>
    private static void CheckBrokerTopology(IReadOnlyList<Manifest> platform, IReadOnlyList<Manifest> infrastructure, string app, string infra, List<string> gaps)
    {
        var clusters = infrastructure.Where(m => m.Kind == "RabbitmqCluster").ToDictionary(m => m.Name);
        foreach (var m in platform.Where(m => m.ApiVersion.StartsWith("rabbitmq.com/", StringComparison.Ordinal) && m.Kind != "RabbitmqCluster"))
        {
            var name = m["spec.rabbitmqClusterReference.name"]?.GetValue<string>() ?? "";
            var ns = m["spec.rabbitmqClusterReference.namespace"]?.GetValue<string>() ?? app;
            if (ns != infra || !clusters.TryGetValue(name, out var cluster))
            {
                gaps.Add($"{m}: refers to the RabbitmqCluster {ns}/{name}, which is not in {infra}");
                continue;
            }
            var allowed = cluster.Object["metadata"]?["annotations"]?["rabbitmq.com/topology-allowed-namespaces"]?.GetValue<string>() ?? "";
            if (!allowed.Split(',', StringSplitOptions.TrimEntries).Any(n => n == app || n == "*"))
            {
                gaps.Add($"{m}: the RabbitmqCluster {name} does not allow topology objects from {app} (rabbitmq.com/topology-allowed-namespaces)");
            }
        }
    }

    /// <summary>Each HTTPRoute attached to a listener of a Gateway in the infrastructure's namespace that admits the platform's.</summary>
    private static void CheckRoutes(IReadOnlyList<Manifest> platform, IReadOnlyList<Manifest> infrastructure, string app, string infra, List<string> gaps)
    {
        foreach (var route in platform.Where(m => m.Kind == "HTTPRoute"))
        {
            foreach (var parent in route["spec.parentRefs"]?.AsArray() ?? [])
            {
                var ns = parent!["namespace"]?.GetValue<string>() ?? app;
                var gateway = infrastructure.FirstOrDefault(m => m.Kind == "Gateway" && m.Name == parent["name"]?.GetValue<string>());
                var listener = gateway?["spec.listeners"]?.AsArray().FirstOrDefault(l => l!["name"]?.GetValue<string>() == parent["sectionName"]?.GetValue<string>());
                if (ns != infra || listener is null)
                {
                    gaps.Add($"{route}: attached to {ns}/{parent["name"]}, section {parent["sectionName"]}, which is no listener of a Gateway in {infra}");
                }
                else if (!Admits(listener["allowedRoutes"]?["namespaces"], app, infra))
                {
                    gaps.Add($"{route}: the Gateway's listener {listener["name"]} does not admit routes from {app}");
                }
            }
        }
    }

    private static bool Admits(JsonNode? namespaces, string app, string infra) =>
        (namespaces?["from"]?.GetValue<string>() ?? "Same") switch
        {
            "All" => true,
            "Same" => app == infra,
            "Selector" => namespaces!["selector"]?["matchLabels"]?["kubernetes.io/metadata.name"]?.GetValue<string>() == app,
            _ => false,
        };

    /// <summary>The egress rules that let the services reach the infrastructure's pods select them in its namespace.</summary>
    private static void CheckNetworkPolicies(IReadOnlyList<Manifest> platform, IReadOnlyList<Manifest> infrastructure, string infra, List<string> gaps)
    {
        var needed = new List<(string Label, string Value, long Port)>
        {
            ("app.kubernetes.io/name", "rabbitmq", 5672),
            ("app.kubernetes.io/name", "otel-collector", 4317),
        };
        needed.AddRange(infrastructure.Where(m => m.Kind == "Cluster").Select(m => ("cnpg.io/cluster", m.Name, 5432L)));
        var rules = platform.Where(m => m.Kind == "NetworkPolicy").SelectMany(p => p["spec.egress"]?.AsArray() ?? []).ToList();
        foreach (var (label, value, port) in needed)
        {
            var peers = rules.Where(r => r!["ports"]?.AsArray().Any(p => p!["port"]?.GetValue<long>() == port) == true)
                .SelectMany(r => r!["to"]?.AsArray() ?? [])
                .Where(to => to!["podSelector"]?["matchLabels"]?[label]?.GetValue<string>() == value).ToList();
            if (peers.Count == 0)
            {
                gaps.Add($"NetworkPolicy: nothing lets the services reach {label}={value} on {port}");
            }
            foreach (var peer in peers.Where(p => p!["namespaceSelector"]?["matchLabels"]?["kubernetes.io/metadata.name"]?.GetValue<string>() != infra))
            {
                gaps.Add($"NetworkPolicy: the egress to {label}={value} selects those pods outside {infra}");
            }
        }
    }

    /// <summary>The host of a URL (amqp://host:5672/, http://host:4317), or "".</summary>
    private static string Host(string? url) => Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri.Host : "";

    [GeneratedRegex("(?:^|;)Host=([^;]*)")]
    private static partial Regex ConnectionHost();
}
