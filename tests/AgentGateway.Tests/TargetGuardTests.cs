using Routing.Adapters.Testing;
using System.Net;
using Routing.AgentGateway.Delivery;

namespace AgentGateway.Tests;

/// <summary>Agents' webhook targets kept off the gateway's own network, by URL and again at connect time.</summary>
public sealed class TargetGuardTests
{
    private static readonly TargetGuard Strict = new(allowPrivateNetworks: false, allowHttp: false);

    [Theory]
    [InlineData("127.0.0.1", "loopback")]
    [InlineData("::1", "loopback")]
    [InlineData("10.1.2.3", "private")]
    [InlineData("172.16.0.1", "private")]
    [InlineData("172.31.255.255", "private")]
    [InlineData("192.168.1.10", "private")]
    [InlineData("169.254.169.254", "metadata")]
    [InlineData("169.254.10.1", "link-local")]
    [InlineData("fd00:ec2::254", "metadata")]
    [InlineData("fe80::1", "link-local")]
    [InlineData("fc00::1", "private")]
    [InlineData("100.64.0.1", "carrier-grade NAT")]
    [InlineData("0.0.0.0", "not a routable")]
    [InlineData("::ffff:127.0.0.1", "loopback")]
    [InlineData("224.0.0.1", "multicast")]
    // issue 16: reserved and benchmarking ranges, and IPv6 forms that carry an IPv4 address inside
    [InlineData("240.0.0.1", "reserved")]
    [InlineData("255.255.255.255", "broadcast")]
    [InlineData("198.18.0.1", "reserved")]
    [InlineData("64:ff9b::7f00:1", "loopback")] // NAT64 of 127.0.0.1
    [InlineData("64:ff9b::a9fe:a9fe", "metadata")] // NAT64 of 169.254.169.254
    [InlineData("2002:7f00:1::", "loopback")] // 6to4 of 127.0.0.1
    [InlineData("2002:a00:1::1", "private")] // 6to4 of 10.0.0.1
    [InlineData("::127.0.0.1", "loopback")] // IPv4-compatible
    public void Should_refuse_internal_addresses(string address, string reason) =>
        Assert.Contains(reason, Strict.Refusal(IPAddress.Parse(address)));

    [Theory]
    [InlineData("93.184.216.34")]
    [InlineData("172.32.0.1")]
    [InlineData("2606:2800:220:1:248:1893:25c8:1946")]
    public void Should_allow_public_addresses(string address) => Assert.Null(Strict.Refusal(IPAddress.Parse(address)));

    [Theory]
    [InlineData("http://helpdesk.example.com/hooks", "https")]
    [InlineData("https://user:pass@helpdesk.example.com/hooks", "credentials")]
    [InlineData("https://metadata.google.internal/computeMetadata/v1/", "internal")]
    [InlineData("https://127.0.0.1/hooks", "loopback")]
    [InlineData("ftp://helpdesk.example.com/", "http(s)")]
    [InlineData("https://helpdesk.example.com:6379/hooks", "port")] // issue 16: any port reached internal services
    [InlineData("https://helpdesk.example.com:22/hooks", "port")]
    public void Should_refuse_target_urls(string url, string reason) => Assert.Contains(reason, Strict.Refusal(new Uri(url)));

    [Theory]
    [InlineData("https://helpdesk.example.com/hooks")]
    [InlineData("https://helpdesk.example.com:8443/hooks")]
    public void Should_allow_public_targets_on_web_ports(string url) => Assert.Null(Strict.Refusal(new Uri(url)));

    [Fact]
    public void Should_keep_refusing_metadata_even_where_private_networks_are_allowed()
    {
        var relaxed = new TargetGuard(allowPrivateNetworks: true, allowHttp: true);

        Assert.Null(relaxed.Refusal(IPAddress.Loopback));
        Assert.Null(relaxed.Refusal(new Uri("http://127.0.0.1:8080/hooks")));
        Assert.Contains("metadata", relaxed.Refusal(IPAddress.Parse("169.254.169.254")));
    }

    [Fact]
    public async Task Should_refuse_at_connect_time_a_name_that_resolves_to_loopback_and_allow_it_when_configured()
    {
        await using var receiver = await Receiver.StartAsync();
        var url = receiver.Url.Replace("127.0.0.1", "localhost", StringComparison.Ordinal) + "/hooks";

        using var strict = Client(new TargetGuard(allowPrivateNetworks: false, allowHttp: true));
        using var relaxed = Client(new TargetGuard(allowPrivateNetworks: true, allowHttp: true));

        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => strict.PostAsync(url, new StringContent("{}")));
        Assert.Contains("loopback", Assert.IsType<TargetRefusedException>(refused.InnerException).Message);
        Assert.Equal(HttpStatusCode.OK, (await relaxed.PostAsync(url, new StringContent("{}"))).StatusCode);
        Assert.Single(receiver.Requests);
    }

    private static HttpClient Client(TargetGuard guard) => new(new SocketsHttpHandler { ConnectCallback = guard.ConnectAsync });
}
