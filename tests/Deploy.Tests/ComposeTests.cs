using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Routing.Deploy.Tests;

/// <summary>The compose file of the whole local stack passes docker-compose's own validation (no engine needed).</summary>
public sealed class ComposeTests
{
    private static readonly string ComposeFile = Path.Combine(Tool.RepositoryRoot, "deploy", "compose.yaml");

    [Fact]
    public void Should_be_a_valid_compose_file()
    {
        var result = Tool.Run("docker-compose", ["-f", ComposeFile, "config", "-q"]);

        Assert.True(result.ExitCode == 0, result.Error);
    }

    [Fact]
    public void Should_run_every_service_of_the_stack_from_the_one_Dockerfile()
    {
        var services = Tool.RunOrThrow("docker-compose", ["-f", ComposeFile, "config", "--services"])
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Order().ToList();
        var config = Tool.RunOrThrow("docker-compose", ["-f", ComposeFile, "config"]);

        // one service per channel of deploy/channels.tsv beside the platform's own
        string[] platform = ["agent-gateway", "mail", "otel-collector", "postgres", "rabbitmq", "routing", "sandbox"];
        Assert.Equal(Channel.All.Select(c => c.Service).Concat(platform).Order(), services);
        Assert.Equal(Channel.All.Count + 3, config.Split("dockerfile: deploy/images/Dockerfile").Length - 1); // and routing, gateway, sandbox
    }

    [Fact]
    public void Should_reject_a_broken_compose_file()
    {
        var broken = Path.Combine(Directory.CreateTempSubdirectory("compose-").FullName, "compose.yaml");
        File.WriteAllText(broken, "services:\n  routing:\n    image: x\n    ports: 5080\n    restart: sometimes-maybe\n");

        var result = Tool.Run("docker-compose", ["-f", broken, "config", "-q"]);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("invalid", result.Error, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Should_log_every_service_in_to_the_broker_as_its_own_user_the_broker_loads()
    {
        var config = Config()["services"]!.AsObject();
        var users = JsonNode.Parse(File.ReadAllText(Path.Combine(Tool.RepositoryRoot, "deploy", "local", "compose-rabbitmq-users.json")))!["users"]!
            .AsArray().ToDictionary(u => u!["name"]!.GetValue<string>(), u => u!["password_hash"]!.GetValue<string>());
        var permitted = BrokerTopology.Definitions()["permissions"]!.AsArray().Select(p => p!["user"]!.GetValue<string>()).ToHashSet();
        // docker-compose 1.29 writes volumes in the short form, source:target:mode
        var brokerMounts = config["rabbitmq"]!["volumes"]!.AsArray().Select(v => v!.GetValue<string>().Split(':')[1]).ToList();

        Assert.Contains("/etc/rabbitmq/definitions.d/topology.json", brokerMounts);
        Assert.Contains("/etc/rabbitmq/definitions.d/users.json", brokerMounts);
        var services = config.Where(s => s.Value!["environment"]?["RabbitMq__Url"] is not null).ToList();
        Assert.Equal(ManifestRules.Services.Keys.Order(), services.Select(s => s.Key).Order());
        foreach (var (name, service) in services)
        {
            var environment = service!["environment"]!;
            Assert.DoesNotContain("@", environment["RabbitMq__Url"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.Equal(name, environment["RabbitMq__Username"]?.GetValue<string>());
            Assert.Contains(name, permitted);
            Assert.True(users.TryGetValue(name, out var hash), $"{name} is not among the broker's users");
            Assert.True(Verifies(hash, environment["RabbitMq__Password"]!.GetValue<string>()), $"{name}'s password is not the one its hash was made from");
        }
        Assert.False(Verifies(users["routing"], "dev-rabbitmq-agent-gateway"));
    }

    /// <summary>The file as docker-compose resolves it (anchors, merges, paths), read as JSON by the schema folder's YAML package (docker-compose 1.29 writes YAML only).</summary>
    private static JsonNode Config()
    {
        var schema = Path.Combine(Tool.RepositoryRoot, "tests", "Deploy.Tests", "schema");
        RenderedManifests.InstallValidator(schema);
        var json = Tool.Run("node", ["--input-type=module", "-e",
            "import {parse} from 'yaml'; let s = ''; process.stdin.on('data', d => s += d).on('end', () => console.log(JSON.stringify(parse(s))))"],
            schema, Tool.RunOrThrow("docker-compose", ["-f", ComposeFile, "config"]));
        return json.ExitCode == 0 ? JsonNode.Parse(json.Output)! : throw new InvalidOperationException(json.Error);
    }

    /// <summary>RabbitMQ's rabbit_password_hashing_sha256: base64 of a 4-byte salt, then SHA-256 of the salt and the password.</summary>
    private static bool Verifies(string passwordHash, string password)
    {
        var stored = Convert.FromBase64String(passwordHash);
        var salt = stored[..4];
        return SHA256.HashData([.. salt, .. Encoding.UTF8.GetBytes(password)]).SequenceEqual(stored[4..]);
    }
}
