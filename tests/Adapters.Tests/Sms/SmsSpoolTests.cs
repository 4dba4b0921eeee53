using System.Net;
using System.Text.Json;
using Routing.Adapters.Testing;
using Routing.Contracts;
using Routing.Testing;

namespace Adapters.Tests.Sms;

/// <summary>
/// Twilio never retries a webhook that failed, so an SMS the broker could not take was refused for good (make chaos,
/// broker-kill: 41 of 60 SMS). The SMS adapter now spools such a delivery to disk, answers 200, and relays it once the
/// broker confirms again, across a restart of the adapter too. The broker is reached through a proxy the test cuts.
/// </summary>
public sealed class SmsSpoolTests : IAsyncLifetime
{
    private TestBroker _broker = null!;
    private TcpProxy _proxy = null!;
    private string _proxiedUrl = "";
    private readonly string _spool = AdapterProcess.NewSpoolFolder();

    public async Task InitializeAsync()
    {
        _broker = await TestBroker.CreateAsync();
        (_proxy, _proxiedUrl) = TcpProxy.ForUrl(_broker.Url);
    }

    public async Task DisposeAsync()
    {
        await _proxy.DisposeAsync();
        await _broker.DisposeAsync();
    }

    private SmsAdapterApp Adapter(bool throughProxy = true) => new(
        throughProxy ? _proxiedUrl : _broker.Url,
        new Dictionary<string, string?>
        {
            ["Webhooks:Spool:Directory"] = _spool,
            ["Webhooks:Spool:RelayInterval"] = "00:00:00.200",
            ["Webhooks:PublishTimeout"] = "00:00:03",
        });

    private static Task<HttpResponseMessage> SmsAsync(HttpClient client) =>
        client.SendAsync(AdapterHttp.Request(TwilioCases.Named("incoming SMS"), "/webhooks/sms/twilio"));

    private string[] Spooled() => Directory.Exists(_spool) ? Directory.GetFiles(_spool, "*.json") : [];

    [Fact]
    public async Task Should_answer_200_while_the_broker_is_away_and_relay_the_message_when_it_is_back()
    {
        await using var observed = await _broker.ObserveAsync<InboundMessageReceived>();
        await using var adapter = Adapter();
        using var client = adapter.CreateClient();
        await AdapterHttp.WaitReadyAsync(client);

        _proxy.Cut();
        using var answered = await SmsAsync(client);
        var spooled = Spooled();
        using var ready = await client.GetAsync("/health/ready");
        using var health = JsonDocument.Parse(await ready.Content.ReadAsStringAsync());
        _proxy.Restore();
        var relayed = await observed.WaitForAsync(m => m.ProviderMessageId == "SM5e3b1a7c9d2f4e6a8b0c1d2e3f4a5b6c");

        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        Assert.Single(spooled);
        var spool = health.RootElement.GetProperty("checks").GetProperty("webhook-spool");
        Assert.Equal(("Degraded", 1), (spool.GetProperty("status").GetString(), spool.GetProperty("data").GetProperty("waiting").GetInt32()));
        // Still ready, so that Kubernetes keeps sending it Twilio's deliveries: the bus is Degraded, not Unhealthy.
        Assert.True(ready.IsSuccessStatusCode, health.RootElement.ToString());
        Assert.Equal("Degraded", health.RootElement.GetProperty("checks").GetProperty("masstransit-bus").GetProperty("status").GetString());
        Assert.Equal(MessageIds.ForInbound("sms", "SM5e3b1a7c9d2f4e6a8b0c1d2e3f4a5b6c"), relayed.MessageId);
        await Eventually.TrueAsync("the spool emptied once the broker confirmed", () => Task.FromResult(Spooled().Length == 0));
    }

    [Fact]
    public async Task Should_relay_what_a_stopped_adapter_spooled_when_it_starts_again_and_quarantine_a_file_it_cannot_read()
    {
        await using (var first = Adapter())
        {
            using var client = first.CreateClient();
            await AdapterHttp.WaitReadyAsync(client);
            _proxy.Cut();
            using var answered = await SmsAsync(client);
            Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        }
        Assert.Single(Spooled());
        await File.WriteAllTextAsync(Path.Combine(_spool, "00000000000000000001-torn.json"), "{\"channel\": \"sms\", \"messages\": [");
        await using var observed = await _broker.ObserveAsync<InboundMessageReceived>();

        await using var second = Adapter(throughProxy: false);
        using var restarted = second.CreateClient();
        var relayed = await observed.WaitForAsync(m => m.ProviderMessageId == "SM5e3b1a7c9d2f4e6a8b0c1d2e3f4a5b6c");

        Assert.Equal("+12125550123", relayed.Sender.Value);
        await Eventually.TrueAsync("the spool emptied", () => Task.FromResult(Spooled().Length == 0));
        Assert.Equal(["00000000000000000001-torn.json"], Directory.GetFiles(Path.Combine(_spool, "quarantine")).Select(Path.GetFileName));
        using var health = JsonDocument.Parse(await (await restarted.GetAsync("/health/ready")).Content.ReadAsStringAsync());
        var spool = health.RootElement.GetProperty("checks").GetProperty("webhook-spool");
        Assert.Equal(("Degraded", 1), (spool.GetProperty("status").GetString(), spool.GetProperty("data").GetProperty("quarantined").GetInt32()));
    }
}
