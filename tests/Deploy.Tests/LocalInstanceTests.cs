namespace Routing.Deploy.Tests;

/// <summary>
/// make test's instance of the local stack (deploy/local/instance.sh, ROUTING_INSTANCE=test) beside the user's (make up):
/// they must share no port, no RabbitMQ node and no data folder, or the tests would meet the user's data again.
/// </summary>
public sealed class LocalInstanceTests
{
    [Fact]
    public void Should_give_the_test_instance_no_port_node_or_data_folder_of_the_users()
    {
        var dev = Describe("dev");
        var test = Describe("test");

        Assert.Equal((".local", ".local/test"), (Relative(dev["state"]), Relative(test["state"])));
        Assert.NotEqual(dev["node"], test["node"]);
        var devPorts = Ports(dev);
        var testPorts = Ports(test);
        Assert.Equal(7 + 3 + Channel.All.Count, devPorts.Count); // PostgreSQL, RabbitMQ (AMQP, management, distribution), IMAP, SMTP, LMTP; routing, gateway, sandbox, the adapters
        Assert.Equal(devPorts.Count, devPorts.Distinct().Count());
        Assert.Equal(testPorts.Count, testPorts.Distinct().Count());
        Assert.Empty(devPorts.Intersect(testPorts));
    }

    [Fact]
    public void Should_give_every_instance_ports_nodes_and_folders_of_its_own()
    {
        // make up, make test, make chaos and make bench-e2e may all run at once
        var instances = new[] { "dev", "test", "chaos", "bench" }.ToDictionary(i => i, Describe);
        foreach (var (name, described) in instances)
        {
            foreach (var (other, otherDescribed) in instances.Where(o => string.CompareOrdinal(o.Key, name) > 0))
            {
                Assert.NotEqual(described["state"], otherDescribed["state"]);
                Assert.NotEqual(described["node"], otherDescribed["node"]);
                var shared = Ports(described).Intersect(Ports(otherDescribed)).ToList();
                Assert.True(shared.Count == 0, $"{name} and {other} share ports {string.Join(", ", shared)}");
            }
        }
    }

    [Fact]
    public void Should_keep_every_port_below_the_range_the_kernel_gives_outgoing_connections()
    {
        // A listener on a port of that range can find it taken by some client's connection at start.
        var lowest = int.Parse(File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split('\t', ' ')[0], System.Globalization.CultureInfo.InvariantCulture);

        foreach (var instance in new[] { "dev", "test", "chaos", "bench" })
        {
            Assert.All(Ports(Describe(instance)), port => Assert.True(port < lowest, $"{instance}: port {port} is in the ephemeral range from {lowest}"));
        }
    }

    /// <summary>infra.sh describe and stack.sh ports of one instance, as name → value.</summary>
    private static Dictionary<string, string> Describe(string instance) =>
        new[] { "infra.sh describe", "stack.sh ports" }
            .SelectMany(command => Tool.RunOrThrow("env", [$"ROUTING_INSTANCE={instance}", "ROUTING_LOCAL_DIR=", "bash", .. $"deploy/local/{command}".Split(' ')])
                .Split('\n', StringSplitOptions.RemoveEmptyEntries))
            .Select(line => line.Split(' ', 2))
            .ToDictionary(pair => pair[0], pair => pair[1]);

    private static List<int> Ports(Dictionary<string, string> described) =>
        described.Where(p => p.Key is not ("state" or "node")).Select(p => int.Parse(p.Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();

    private static string Relative(string path) => Path.GetRelativePath(Tool.RepositoryRoot, path);
}
