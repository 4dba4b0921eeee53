using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Routing.Deploy.Tests;

/// <summary>
/// The broker's users, permissions, policies, exchanges, queues and bindings have one source,
/// deploy/rabbitmq/definitions.json (RabbitMQ's definitions format), which the local stack imports as it is
/// (deploy/local/infra.sh). For Kubernetes it becomes the Messaging Topology Operator's objects,
/// deploy/k8s/base/rabbitmq-topology.yaml, written by <see cref="Render"/>: a test keeps the two equal. The objects live
/// in the platform's namespace (where each User's Secret must be, for the Deployments to read it) and refer to the
/// RabbitmqCluster in the infrastructure's namespace, which the overlays' replacements fill in.
/// </summary>
internal static partial class BrokerTopology
{
    public const string Cluster = "rabbitmq";

    /// <summary>The infrastructure's namespace the base names (the overlays write their own over it).</summary>
    public const string InfrastructureNamespace = "omnichannel-routing-infra";

    public const string DefinitionsFile = "deploy/rabbitmq/definitions.json";

    /// <summary>The Kubernetes objects generated from the definitions, relative to the repository.</summary>
    public const string Manifest = "deploy/k8s/base/rabbitmq-topology.yaml";

    public static string DefinitionsPath => Path.Combine(Tool.RepositoryRoot, DefinitionsFile);

    public static string ManifestPath => Path.Combine(Tool.RepositoryRoot, Manifest);

    /// <param name="root">the repository, or a copy of it</param>
    public static JsonObject Definitions(string? root = null) => JsonNode.Parse(File.ReadAllText(Path.Combine(root ?? Tool.RepositoryRoot, DefinitionsFile)))!.AsObject();

    /// <summary>The Secret the topology operator writes a User's generated username and password into.</summary>
    public static string CredentialsSecret(string user) => $"{user}-user-credentials";

    /// <summary>The topology operator's objects for <paramref name="definitions"/>, as YAML.</summary>
    public static string Render(JsonObject definitions)
    {
        var objects = new List<JsonObject>();
        // the definitions name users in their permissions only (the local stack gives each its password as it creates it)
        foreach (var user in Items(definitions, "permissions").Select(p => Text(p, "user")).Distinct())
        {
            objects.Add(Object("User", user, Spec()));
        }
        foreach (var permission in Items(definitions, "permissions"))
        {
            var user = Text(permission, "user");
            var spec = Spec(permission["vhost"]);
            spec["userReference"] = new JsonObject { ["name"] = user };
            spec["permissions"] = new JsonObject
            {
                ["configure"] = Text(permission, "configure"),
                ["write"] = Text(permission, "write"),
                ["read"] = Text(permission, "read"),
            };
            objects.Add(Object("Permission", user, spec));
        }
        foreach (var policy in Items(definitions, "policies"))
        {
            var spec = Spec(policy["vhost"]);
            spec["name"] = Text(policy, "name");
            spec["pattern"] = Text(policy, "pattern");
            spec["applyTo"] = Text(policy, "apply-to");
            spec["priority"] = policy["priority"]!.GetValue<int>();
            spec["definition"] = policy["definition"]!.DeepClone();
            objects.Add(Object("Policy", Text(policy, "name"), spec));
        }
        foreach (var exchange in Items(definitions, "exchanges"))
        {
            var spec = Spec(exchange["vhost"]);
            spec["name"] = Text(exchange, "name");
            spec["type"] = Text(exchange, "type");
            spec["durable"] = exchange["durable"]!.GetValue<bool>();
            spec["autoDelete"] = exchange["auto_delete"]!.GetValue<bool>();
            objects.Add(Object("Exchange", Text(exchange, "name"), spec));
        }
        foreach (var queue in Items(definitions, "queues"))
        {
            var spec = Spec(queue["vhost"]);
            spec["name"] = Text(queue, "name");
            var arguments = queue["arguments"]?.DeepClone().AsObject() ?? [];
            if (arguments["x-queue-type"] is { } type)
            {
                spec["type"] = type.GetValue<string>();
                arguments.Remove("x-queue-type");
            }
            spec["durable"] = queue["durable"]!.GetValue<bool>();
            spec["autoDelete"] = queue["auto_delete"]!.GetValue<bool>();
            if (arguments.Count > 0)
            {
                spec["arguments"] = arguments;
            }
            objects.Add(Object("Queue", Text(queue, "name"), spec));
        }
        foreach (var binding in Items(definitions, "bindings"))
        {
            var spec = Spec(binding["vhost"]);
            spec["source"] = Text(binding, "source");
            spec["destination"] = Text(binding, "destination");
            spec["destinationType"] = Text(binding, "destination_type");
            spec["routingKey"] = Text(binding, "routing_key");
            objects.Add(Object("Binding", $"{Text(binding, "source")}-to-{Text(binding, "destination")}", spec));
        }

        var yaml = new StringBuilder();
        yaml.Append("# GENERATED from deploy/rabbitmq/definitions.json, which the local stack loads as it is; do not edit here.\n");
        yaml.Append("# Edit the definitions, then: ROUTING_WRITE_TOPOLOGY=1 dotnet test tests/Deploy.Tests --filter BrokerTopologyTests\n");
        yaml.Append("# Objects of the Messaging Topology Operator, in the platform's namespace, on the RabbitmqCluster \"rabbitmq\" in the\n");
        yaml.Append("# infrastructure's (the overlays write its name; the cluster allows this namespace by its annotation\n");
        yaml.Append("# rabbitmq.com/topology-allowed-namespaces). Each User's generated username and password are in the Secret\n");
        yaml.Append("# <user>-user-credentials, beside the Deployment (or KEDA's TriggerAuthentication) that reads it.\n");
        foreach (var o in objects)
        {
            yaml.Append("---\n");
            Write(yaml, o, 0);
        }
        return yaml.ToString();
    }

    private static IEnumerable<JsonObject> Items(JsonObject definitions, string key) =>
        definitions[key]?.AsArray().Select(i => i!.AsObject()) ?? [];

    private static string Text(JsonObject o, string key) => o[key]?.GetValue<string>() ?? "";

    private static JsonObject Spec(JsonNode? vhost = null)
    {
        var spec = new JsonObject();
        if (vhost is not null)
        {
            spec["vhost"] = vhost.GetValue<string>();
        }
        spec["rabbitmqClusterReference"] = new JsonObject { ["name"] = Cluster, ["namespace"] = InfrastructureNamespace };
        return spec;
    }

    private static JsonObject Object(string kind, string name, JsonObject spec) => new()
    {
        ["apiVersion"] = "rabbitmq.com/v1beta1",
        ["kind"] = kind,
        ["metadata"] = new JsonObject { ["name"] = name },
        ["spec"] = spec,
    };

    /// <summary>Words a YAML reader would take for something other than a string.</summary>
    private static readonly HashSet<string> YamlWords = new(["true", "false", "null", "yes", "no", "on", "off", "y", "n"], StringComparer.OrdinalIgnoreCase);

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9./-]*$")]
    private static partial Regex Plain();

    /// <summary>Block YAML for objects of maps, lists and scalars; strings single-quoted where they must be (a regex's backslashes stay as they are).</summary>
    private static void Write(StringBuilder yaml, JsonObject o, int indent)
    {
        foreach (var (key, value) in o)
        {
            yaml.Append(' ', indent).Append(key).Append(':');
            switch (value)
            {
                case JsonObject { Count: 0 }:
                    yaml.Append(" {}\n");
                    break;
                case JsonObject child:
                    yaml.Append('\n');
                    Write(yaml, child, indent + 2);
                    break;
                case JsonArray list:
                    yaml.Append(" [").AppendJoin(", ", list.Select(Scalar)).Append("]\n");
                    break;
                default:
                    yaml.Append(' ').Append(Scalar(value)).Append('\n');
                    break;
            }
        }
    }

    private static string Scalar(JsonNode? value) => value switch
    {
        JsonValue v when v.TryGetValue<string>(out var s) => Plain().IsMatch(s) && !YamlWords.Contains(s) ? s : $"'{s.Replace("'", "''", StringComparison.Ordinal)}'",
        JsonValue v when v.TryGetValue<bool>(out var b) => b ? "true" : "false",
        JsonValue v => v.ToJsonString(), // a number, written as JSON writes it (valid YAML)
        _ => throw new InvalidOperationException($"no scalar: {value?.ToJsonString()}"),
    };
}
