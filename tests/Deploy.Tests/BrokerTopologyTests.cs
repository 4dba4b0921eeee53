using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Routing.Deploy.Tests;

/// <summary>
/// The broker's users and permissions (issue 19): one source for the local stack and Kubernetes, every service and KEDA
/// logged in as its own user, and the broken versions caught. That the permissions are enough and no more is proven on
/// a real broker: make test runs the stack with these users, and Routing.IntegrationTests' BrokerPermissionTests tries
/// what each must not do.
/// </summary>
[Collection(RenderedManifestsCollection.Name)]
public sealed class BrokerTopologyTests(RenderedManifests rendered)
{
    public static TheoryData<string> Overlays => new(RenderedManifests.Sources.Where(s => s.StartsWith("overlays/", StringComparison.Ordinal)));

    [Fact]
    public void Should_declare_in_kubernetes_the_topology_the_local_broker_loads()
    {
        var generated = BrokerTopology.Render(BrokerTopology.Definitions());
        if (Environment.GetEnvironmentVariable("ROUTING_WRITE_TOPOLOGY") == "1")
        {
            File.WriteAllText(BrokerTopology.ManifestPath, generated);
        }

        Assert.True(File.ReadAllText(BrokerTopology.ManifestPath) == generated,
            "deploy/k8s/base/rabbitmq-topology.yaml differs from deploy/rabbitmq/definitions.json: " +
            "run this test with ROUTING_WRITE_TOPOLOGY=1 and review the diff");
        var prod = rendered.From("overlays/prod");
        var definitions = BrokerTopology.Definitions();
        Assert.Equal(2 + Channel.All.Count + 1, prod.Count(m => m is { Kind: "User", ApiVersion: "rabbitmq.com/v1beta1" })); // routing, gateway, adapters, KEDA
        foreach (var (kind, key) in new[] { ("Permission", "permissions"), ("Policy", "policies"), ("Queue", "queues"), ("Binding", "bindings") })
        {
            Assert.Equal(definitions[key]!.AsArray().Count, prod.Count(m => m.Kind == kind && m.ApiVersion == "rabbitmq.com/v1beta1"));
        }
        Assert.All(prod.Where(m => m.ApiVersion == "rabbitmq.com/v1beta1"), m => Assert.Empty(m.SchemaErrors));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Should_log_every_service_in_as_its_own_broker_user(string overlay)
    {
        var objects = rendered.From(overlay);

        var gaps = ManifestRules.BrokerUserGaps(objects, rendered.From(RenderedManifests.Infrastructure[overlay]));

        Assert.True(gaps.Count == 0, string.Join('\n', gaps));
        // every user the definitions declare is someone's: the services, and KEDA where the overlay has it
        var secrets = ManifestRules.ReferencedSecrets(objects);
        var expected = ManifestRules.Services.Keys.Concat(objects.Any(m => m.Kind == "ScaledObject") ? ["keda"] : []);
        Assert.All(expected, user => Assert.Contains(BrokerTopology.CredentialsSecret(user), secrets));
    }

    [Theory]
    [InlineData("load definitions", "loads definitions")]
    [InlineData("administrator", "Deployment/routing: reads the RabbitmqCluster's administrator")]
    [InlineData("no user", "no User adapter-sms is declared")]
    [InlineData("no permission", "its broker user routing has no Permission")]
    [InlineData("shared user", "logs in as another service's broker user")]
    [InlineData("keda as administrator", "TriggerAuthentication/rabbitmq: logs in to RabbitMQ with rabbitmq-default-user")]
    public void Should_catch_a_broker_login_nobody_could_make(string breakage, string expected)
    {
        var overlay = rendered.Copy("overlays/prod");
        var infrastructure = rendered.Copy("infrastructure/prod");
        Manifest Deployment(string name) => overlay.First(m => m.Kind == "Deployment" && m.Name == name);
        JsonObject BrokerSecret(string name) =>
            Deployment(name)["spec.template.spec.containers.0.envFrom"]!.AsArray().First(e => e!["prefix"] is not null)!["secretRef"]!.AsObject();
        switch (breakage)
        {
            case "load definitions": // the cluster as it was
                var cluster = infrastructure.First(m => m.Kind == "RabbitmqCluster");
                cluster["spec.rabbitmq"]!["additionalConfig"] = cluster["spec.rabbitmq.additionalConfig"]!.GetValue<string>()
                    + "load_definitions = /etc/rabbitmq/definitions/definitions.json\n";
                break;
            case "administrator": // the Deployments as they were: the generated default user's secret
                var container = Deployment("routing")["spec.template.spec.containers.0"]!.AsObject();
                var envFrom = container["envFrom"]!.AsArray();
                envFrom.Remove(envFrom.First(e => e!["prefix"] is not null));
                break;
            case "no user":
                overlay.RemoveAll(m => m.Kind == "User" && m.Name == "adapter-sms");
                break;
            case "no permission":
                overlay.RemoveAll(m => m.Kind == "Permission" && m.Name == "routing");
                break;
            case "shared user":
                BrokerSecret("adapter-sms")["name"] = "adapter-email-user-credentials";
                break;
            case "keda as administrator":
                foreach (var r in overlay.First(m => m.Kind == "TriggerAuthentication" && m.Name == "rabbitmq")["spec.secretTargetRef"]!.AsArray())
                {
                    r!["name"] = "rabbitmq-default-user";
                }
                break;
        }
        if (breakage == "administrator")
        {
            var env = Deployment("routing")["spec.template.spec.containers.0.env"]!.AsArray();
            env.Add(new JsonObject { ["name"] = "RabbitMq__Username", ["valueFrom"] = JsonNode.Parse("""{"secretKeyRef": {"name": "rabbitmq-default-user", "key": "username"}}""") });
        }

        var gaps = ManifestRules.BrokerUserGaps(overlay, infrastructure);

        Assert.Contains(gaps, gap => gap.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Should_give_each_service_only_its_own_queues()
    {
        // the regular expressions RabbitMQ matches names against, read as .NET's (the same syntax for these)
        var permissions = BrokerTopology.Definitions()["permissions"]!.AsArray()
            .ToDictionary(p => p!["user"]!.GetValue<string>(), p => p!.AsObject());
        bool May(string user, string what, string resource) => Regex.IsMatch(resource, permissions[user][what]!.GetValue<string>());

        Assert.True(May("routing", "read", "inbound-message-received"));
        Assert.True(May("adapter-sms", "read", "sms-send-channel-message"));
        Assert.True(May("adapter-sms", "write", "Routing.Contracts:InboundMessageReceived"));
        Assert.True(May("agent-gateway", "write", "email-send-channel-message"));
        foreach (var adapter in ManifestRules.Services.Keys.Where(s => s.StartsWith("adapter-", StringComparison.Ordinal)))
        {
            Assert.False(May(adapter, "read", "inbound-message-received"), $"{adapter} may consume routing's queue");
            Assert.False(May(adapter, "read", "agent-gateway"), $"{adapter} may consume the gateway's queue");
            Assert.False(May(adapter, "write", "Routing.Contracts:ConversationAssigned"), $"{adapter} may publish routing's decisions");
            var other = adapter == "adapter-sms" ? "email" : "sms";
            Assert.False(May(adapter, "read", $"{other}-send-channel-message"), $"{adapter} may consume the {other} channel's sends");
            Assert.False(May(adapter, "configure", "dead-letters"), $"{adapter} may delete the dead letters");
        }
        Assert.False(May("agent-gateway", "write", "Routing.Contracts:InboundMessageReceived"), "the gateway may forge customers' messages");
        Assert.False(May("routing", "write", "sms-send-channel-message"), "routing may send to a channel");
        Assert.All(new[] { "configure", "write", "read" }, what => Assert.False(May("keda", what, "inbound-message-received")));
    }
}
