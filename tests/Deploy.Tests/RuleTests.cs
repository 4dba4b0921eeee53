using System.Text.Json.Nodes;

namespace Routing.Deploy.Tests;

[Collection(RenderedManifestsCollection.Name)]
public sealed class RuleTests(RenderedManifests rendered)
{
    public static TheoryData<string> Overlays => new(RenderedManifests.Sources.Where(s => s.StartsWith("overlays/", StringComparison.Ordinal)));

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Should_keep_every_deployment_rule(string overlay)
    {
        var violations = ManifestRules.Check(rendered.From(overlay));

        Assert.True(violations.Count == 0, string.Join('\n', violations));
    }

    [Theory]
    [InlineData("overlays/dev", false, false)]
    [InlineData("overlays/prod", true, false)]
    [InlineData("overlays/prod-hpa", false, true)]
    [InlineData("overlays/prod-ingress-nginx", true, false)]
    public void Should_autoscale_every_service_the_overlay_s_way(string overlay, bool keda, bool hpa)
    {
        var objects = rendered.From(overlay);
        // routing, the gateway and each channel's adapter
        var (scaledObjects, autoscalers) = (keda ? 2 + Channel.All.Count : 0, hpa ? 2 + Channel.All.Count : 0);

        Assert.Equal(scaledObjects, objects.Count(m => m.Kind == "ScaledObject"));
        Assert.Equal(autoscalers, objects.Count(m => m.Kind == "HorizontalPodAutoscaler"));
        var targets = objects.Where(m => m.Kind is "ScaledObject" or "HorizontalPodAutoscaler")
            .Select(m => m["spec.scaleTargetRef.name"]!.GetValue<string>()).Order().ToList();
        if (targets.Count > 0)
        {
            Assert.Equal(ManifestRules.Services.Keys.Order(), targets);
        }
    }

    [Theory]
    [InlineData("grace period", "a preStop sleep of 40 s")]
    [InlineData("read-only root", "a writable root filesystem")]
    [InlineData("egress", "general egress for routing")]
    [InlineData("memory", "an autoscaler on memory")]
    [InlineData("spread", "replicas that may all land on one node")]
    [InlineData("delivery backlog", "the gateway scaled on its queue alone")]
    [InlineData("moving tag", "an image by the branch's tag")]
    [InlineData("route", "the SMS webhooks' path routed nowhere")]
    [InlineData("route port", "a route to a port the Service does not have")]
    [InlineData("gateway egress", "the agent gateway's egress open to the cluster and the metadata service")]
    [InlineData("open ingress", "routing's API open to every pod of the namespace")]
    [InlineData("secret", "a Secret object")]
    [InlineData("plain password", "a password in a connection string")]
    [InlineData("probe", "a readiness probe on /health/live")]
    [InlineData("env order", "a reference to a variable defined later")]
    [InlineData("token", "the service-account token")]
    public void Should_catch_a_manifest_that_breaks_a_rule(string rule, string breakage)
    {
        var objects = rendered.Copy("overlays/prod");
        var routing = objects.First(m => m.Kind == "Deployment" && m.Name == "routing");
        var container = routing["spec.template.spec.containers.0"]!.AsObject();
        var env = container["env"]!.AsArray();
        switch (rule)
        {
            case "grace period":
                container["lifecycle"]!["preStop"]!["sleep"]!["seconds"] = 40L;
                break;
            case "read-only root":
                container["securityContext"]!["readOnlyRootFilesystem"] = false;
                break;
            case "egress":
                objects.First(m => m.Kind == "NetworkPolicy" && m.Name == "routing").Object["spec"]!["egress"] = new JsonArray(new JsonObject());
                break;
            case "route":
                objects.First(m => m.Kind == "HTTPRoute" && m.Name == "webhooks")["spec.rules"]!.AsArray().RemoveAt(0);
                break;
            case "route port":
                objects.First(m => m.Kind == "HTTPRoute" && m.Name == "agent-api")["spec.rules.0.backendRefs.0"]!["port"] = 8080L;
                break;
            case "moving tag":
                container["image"] = "registry.example.com/omnichannel-routing/routing:main";
                break;
            case "delivery backlog":
                var triggers = objects.First(m => m.Kind == "ScaledObject" && m.Name == "agent-gateway")["spec.triggers"]!.AsArray();
                triggers.Remove(triggers.First(t => t!["type"]!.GetValue<string>() == "postgresql"));
                break;
            case "spread":
                routing["spec.template.spec"]!.AsObject().Remove("topologySpreadConstraints");
                break;
            case "memory":
                var hpa = JsonNode.Parse("""
                    {"metadata": {"name": "routing", "labels": {"app.kubernetes.io/part-of": "omnichannel-routing", "app.kubernetes.io/managed-by": "kustomize"}},
                     "spec": {"scaleTargetRef": {"name": "routing"}, "metrics": [{"type": "Resource", "resource": {"name": "memory"}}]}}
                    """)!.AsObject();
                objects.Add(new Manifest("overlays/prod", "autoscaling/v2", "HorizontalPodAutoscaler", "routing", hpa, []));
                break;
            case "gateway egress":
                objects.First(m => m.Kind == "NetworkPolicy" && m.Name == "agent-gateway").Object["spec"]!["egress"] = new JsonArray(new JsonObject());
                break;
            case "open ingress":
                objects.First(m => m.Kind == "NetworkPolicy" && m.Name == "routing").Object["spec"]!["ingress"]![0]!["from"] =
                    new JsonArray(new JsonObject { ["podSelector"] = new JsonObject() });
                break;
            case "secret":
                objects.Add(routing with { Kind = "Secret", Name = "leaked" });
                break;
            case "plain password":
                env.Add(new JsonObject { ["name"] = "ConnectionStrings__Other", ["value"] = "Host=db;Password=hunter2" });
                break;
            case "probe":
                container["readinessProbe"]!["httpGet"]!["path"] = "/health/live";
                break;
            case "env order":
                env.Insert(0, new JsonObject { ["name"] = "EARLY", ["value"] = "$(DB_HOST)" });
                break;
            case "token":
                routing["spec.template.spec"]!.AsObject().Remove("automountServiceAccountToken");
                break;
        }

        Assert.True(ManifestRules.Check(objects).Count > 0, $"{breakage} went unnoticed");
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Should_apply_with_the_migrations_everything_they_read(string overlay)
    {
        var objects = rendered.From(overlay);

        var gaps = ManifestRules.MigrationStepGaps(objects, DocumentedInGuide);

        Assert.True(gaps.Count == 0, string.Join('\n', gaps));
        Assert.Equal(["agent-gateway-migrate", "routing-migrate"],
            objects.Where(m => m.Kind == "Job" && m.Label(ManifestRules.MigrationStep) == "migrate").Select(m => m.Name).Order());
        Assert.Contains(objects, m => m.Kind == "ConfigMap" && m.Name.StartsWith("platform-", StringComparison.Ordinal)
            && m.Label(ManifestRules.MigrationStep) == "migrate");
    }

    [Theory]
    [InlineData("configmap", "reads ConfigMap platform-")]
    [InlineData("job", "agent-gateway-migrate: not in the migration step")]
    [InlineData("secret", "reads Secret migration-extra")]
    public void Should_catch_a_migration_step_that_leaves_a_job_without_what_it_reads(string breakage, string expected)
    {
        var objects = rendered.Copy("overlays/prod");
        switch (breakage)
        {
            case "configmap": // the selection as it was: the Jobs by their component label, not the ConfigMap they load
                objects.First(m => m.Kind == "ConfigMap" && m.Name.StartsWith("platform-", StringComparison.Ordinal))
                    .Object["metadata"]!["labels"]!.AsObject().Remove(ManifestRules.MigrationStep);
                break;
            case "job":
                objects.First(m => m.Name == "agent-gateway-migrate").Object["metadata"]!["labels"]!.AsObject().Remove(ManifestRules.MigrationStep);
                break;
            case "secret":
                objects.First(m => m.Name == "routing-migrate")["spec.template.spec.containers.0.envFrom"]!.AsArray()
                    .Add(new JsonObject { ["secretRef"] = new JsonObject { ["name"] = "migration-extra" } });
                break;
        }

        var gaps = ManifestRules.MigrationStepGaps(objects, DocumentedInGuide);

        Assert.Contains(gaps, gap => gap.Contains(expected, StringComparison.Ordinal));
    }

    /// <summary>A Secret the deployment guide names (its operators' and per-service Secrets, created before the overlay).</summary>
    private static bool DocumentedInGuide(string secret) =>
        File.ReadAllText(Path.Combine(Tool.RepositoryRoot, "deploy", "README.md")).Contains($"`{secret}`", StringComparison.Ordinal);

    [Fact]
    public void Should_give_every_signal_the_services_export_a_pipeline_in_each_collector()
    {
        // the services export traces, metrics and logs over OTLP (ServiceDefaults: UseOtlpExporter); a collector
        // without a pipeline for one of them refuses it, and the exporter logs the failure for every batch
        var cluster = Assert.Single(rendered.From("infrastructure/prod"), m => m.Kind == "OpenTelemetryCollector")["spec.config.service.pipelines"]!.AsObject();
        var local = YamlPipelines(File.ReadAllText(Path.Combine(Tool.RepositoryRoot, "deploy", "local", "otel-collector.yaml")));

        foreach (var signal in new[] { "traces", "metrics", "logs" })
        {
            Assert.True(cluster.ContainsKey(signal), $"the cluster's collector has no {signal} pipeline");
            Assert.Contains(signal, local);
        }
    }

    private static IReadOnlyList<string> YamlPipelines(string yaml) =>
        yaml.Split('\n').SkipWhile(line => line.Trim() != "pipelines:").Skip(1).TakeWhile(line => line.StartsWith("    ", StringComparison.Ordinal))
            .Select(line => line.Trim().Split(':')[0]).ToList();

    [Fact]
    public void Should_document_every_secret_the_manifests_expect()
    {
        var guide = File.ReadAllText(Path.Combine(Tool.RepositoryRoot, "deploy", "README.md"));
        var secrets = RenderedManifests.Sources.SelectMany(s => ManifestRules.ReferencedSecrets(rendered.From(s))).Distinct().ToList();

        Assert.Contains("routing-user-credentials", secrets);
        Assert.Contains("adapter-sms-credentials", secrets);
        Assert.All(secrets, name => Assert.Contains($"`{name}`", guide, StringComparison.Ordinal));
    }

    [Fact]
    public void Should_take_connections_from_the_secrets_the_operators_generate_or_bootstrap_with()
    {
        var infrastructure = rendered.From("infrastructure/prod");
        var prod = rendered.From("overlays/prod");
        var secrets = ManifestRules.ReferencedSecrets(prod);

        // the topology operator's User "x" -> x-user-credentials; a CloudNativePG Cluster's owner -> its bootstrap Secret
        var generated = prod.Where(m => m is { Kind: "User", ApiVersion: "rabbitmq.com/v1beta1" }).Select(m => BrokerTopology.CredentialsSecret(m.Name))
            .Concat(infrastructure.Where(m => m.Kind == "Cluster").Select(m => m["spec.bootstrap.initdb.secret.name"]!.GetValue<string>())).ToList();
        Assert.Equal(2 + Channel.All.Count + 1 + 2, generated.Count); // routing, gateway, adapters, KEDA; two databases' owners
        Assert.All(generated, name => Assert.Contains(name, secrets));
        var routing = prod.First(m => m.Kind == "Deployment" && m.Name == "routing");
        var keys = routing["spec.template.spec.containers.0.env"]!.AsArray()
            .Select(e => e!["valueFrom"]?["secretKeyRef"]).OfType<JsonNode>()
            .Where(r => r["name"]!.GetValue<string>() == "routing-db-credentials").Select(r => r["key"]!.GetValue<string>());
        Assert.Equal(["password", "username"], keys.Order());
        // The collector's Service is <name>-collector, in the infrastructure's namespace: the address every service exports to.
        var collector = Assert.Single(infrastructure, m => m.Kind == "OpenTelemetryCollector");
        Assert.Equal($"http://{collector.Name}-collector.omnichannel-routing-infra.svc:4317", ManifestRules.Configuration(routing, prod)["OTEL_EXPORTER_OTLP_ENDPOINT"]);
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Should_run_the_platform_restricted_and_meet_its_infrastructure_in_the_other_namespace(string overlay)
    {
        var platform = rendered.From(overlay);
        var infrastructure = rendered.From(RenderedManifests.Infrastructure[overlay]);

        var gaps = InfrastructureRules.Gaps(platform, infrastructure);

        Assert.True(gaps.Count == 0, string.Join('\n', gaps));
        var infraNamespace = Assert.Single(infrastructure, m => m.Kind == "Namespace");
        Assert.NotEqual("restricted", infraNamespace.Label("pod-security.kubernetes.io/enforce"));
        Assert.Equal("restricted", infraNamespace.Label("pod-security.kubernetes.io/warn"));
        // everything the infrastructure overlay renders is in its namespace, the platform's objects in theirs
        Assert.All(infrastructure.Where(m => m.Kind != "Namespace"), m => Assert.Equal(infraNamespace.Name, m["metadata.namespace"]?.GetValue<string>()));
    }

    [Theory]
    [InlineData("baseline", "does not enforce the restricted Pod Security Standard")]
    [InlineData("operator beside the services", "RabbitmqCluster/rabbitmq: an operator's workload in the platform's namespace")]
    [InlineData("short broker name", "RabbitMq__Url amqp://rabbitmq:5672/ is not a RabbitmqCluster's Service in omnichannel-routing-infra")]
    [InlineData("collector in the platform's namespace", "OTEL_EXPORTER_OTLP_ENDPOINT is not a collector's Service")]
    [InlineData("generated database secret", "not the Secret its Cluster was bootstrapped with (routing-db-credentials)")]
    [InlineData("database host", "ConnectionStrings__Gateway connects to agent-gateway-db-rw, not")]
    [InlineData("topology on a local cluster", "User/routing: refers to the RabbitmqCluster omnichannel-routing/rabbitmq")]
    [InlineData("topology not allowed", "does not allow topology objects from omnichannel-routing")]
    [InlineData("routes from the same namespace", "does not admit routes from omnichannel-routing")]
    [InlineData("broker policy in the platform's namespace", "the egress to app.kubernetes.io/name=rabbitmq selects those pods outside")]
    [InlineData("dev on prod's infrastructure", "ConfigMap/infrastructure: names omnichannel-routing-dev-infra, not omnichannel-routing-infra")]
    public void Should_catch_a_platform_and_an_infrastructure_that_do_not_meet(string breakage, string expected)
    {
        var platform = rendered.Copy(breakage == "dev on prod's infrastructure" ? "overlays/dev" : "overlays/prod");
        var infrastructure = rendered.Copy("infrastructure/prod");
        Manifest Platform(string kind, string name) => platform.First(m => m.Kind == kind && (m.Name == name || m.Name.StartsWith(name + "-", StringComparison.Ordinal)));
        Manifest Infrastructure(string kind) => infrastructure.First(m => m.Kind == kind);
        switch (breakage)
        {
            case "baseline": // the namespace as it was, with the operators' pods in it
                Platform("Namespace", "omnichannel-routing").Object["metadata"]!["labels"]!["pod-security.kubernetes.io/enforce"] = "baseline";
                break;
            case "operator beside the services":
                platform.Add(Infrastructure("RabbitmqCluster"));
                break;
            case "short broker name": // the address as it was, when the broker shared the namespace
                Platform("ConfigMap", "platform").Object["data"]!["RabbitMq__Url"] = "amqp://rabbitmq:5672/";
                break;
            case "collector in the platform's namespace":
                Platform("ConfigMap", "platform").Object["data"]!["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://otel-collector.omnichannel-routing.svc:4317";
                break;
            case "generated database secret": // CloudNativePG's own Secret, which exists in the infrastructure's namespace only
                foreach (var e in Platform("Deployment", "routing")["spec.template.spec.containers.0.env"]!.AsArray().Where(e => e!["valueFrom"] is not null && e["name"]!.GetValue<string>().StartsWith("DB_", StringComparison.Ordinal)))
                {
                    e!["valueFrom"]!["secretKeyRef"]!["name"] = "routing-db-app";
                }
                break;
            case "database host":
                var gatewayEnv = Platform("Job", "agent-gateway-migrate")["spec.template.spec.containers.0.env"]!.AsArray();
                var connection = gatewayEnv.First(e => e!["name"]!.GetValue<string>() == "ConnectionStrings__Gateway")!;
                connection["value"] = connection["value"]!.GetValue<string>().Replace("agent-gateway-db-rw.omnichannel-routing-infra.svc", "agent-gateway-db-rw", StringComparison.Ordinal);
                break;
            case "topology on a local cluster":
                Platform("User", "routing")["spec.rabbitmqClusterReference"]!.AsObject().Remove("namespace");
                break;
            case "topology not allowed":
                Infrastructure("RabbitmqCluster").Object["metadata"]!.AsObject().Remove("annotations");
                break;
            case "routes from the same namespace": // the Gateway as it was, beside the routes
                Infrastructure("Gateway")["spec.listeners.0.allowedRoutes"]!["namespaces"] = new JsonObject { ["from"] = "Same" };
                break;
            case "broker policy in the platform's namespace":
                Platform("NetworkPolicy", "dns-broker-telemetry")["spec.egress.1.to.0"]!.AsObject().Remove("namespaceSelector");
                break;
        }

        var gaps = InfrastructureRules.Gaps(platform, infrastructure);

        Assert.Contains(gaps, gap => gap.Contains(expected, StringComparison.Ordinal));
    }


    [Fact]
    public void Should_run_three_rabbitmq_nodes_with_quorum_queues_and_a_dead_lettering_delivery_limit()
    {
        var cluster = Assert.Single(rendered.From("infrastructure/prod"), m => m.Kind == "RabbitmqCluster");
        var infrastructure = rendered.From("overlays/prod"); // the topology operator's objects, beside the services
        Assert.Equal(3, cluster["spec.replicas"]!.GetValue<int>());
        Assert.Contains("default_queue_type = quorum", cluster["spec.rabbitmq.additionalConfig"]!.GetValue<string>());

        var policies = infrastructure.Where(m => m.Kind == "Policy").ToList();
        var policy = policies.Single(p => p["spec.pattern"]!.GetValue<string>() == ".*")["spec.definition"]!;
        Assert.InRange(policy["delivery-limit"]!.GetValue<int>(), 1, 1000);
        var deadLetters = policy["dead-letter-exchange"]!.GetValue<string>();
        Assert.Contains(infrastructure, m => m.Kind == "Exchange" && m["spec.name"]!.GetValue<string>() == deadLetters);
        Assert.Contains(infrastructure, m => m.Kind == "Binding" && m["spec.source"]!.GetValue<string>() == deadLetters);
        Assert.Contains(infrastructure, m => m.Kind == "Queue" && m["spec.type"]!.GetValue<string>() == "quorum");
        // what failed keeps customers' messages: not for ever (issue 16), and what matches the error queues' pattern
        // gets the policy that says so
        foreach (var queue in new[] { "inbound-message-received_error", "agent-gateway_skipped", "dead-letters" })
        {
            var applied = policies.Where(p => System.Text.RegularExpressions.Regex.IsMatch(queue, p["spec.pattern"]!.GetValue<string>()))
                .MaxBy(p => p["spec.priority"]!.GetValue<int>())!;
            Assert.InRange(applied["spec.definition.message-ttl"]!.GetValue<long>(), 1, (long)TimeSpan.FromDays(31).TotalMilliseconds);
        }
    }
}
