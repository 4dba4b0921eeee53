using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Routing.AgentGateway.Delivery;
using Routing.Adapters.Testing;
using Routing.Testing;

namespace AgentGateway.Tests;

/// <summary>The gateway as a process of its own, killed while an attempt is in flight: a new process delivers the same webhook.</summary>
public sealed class GatewayCrashTests : IAsyncLifetime
{
    private const string AdminToken = "crash-test-admin-token-0123456789";
    private static readonly int Port = AdapterProcess.FreePort();
    private GatewayDatabase _database = null!;
    private Receiver _receiver = null!;
    private Routing.Testing.TestBroker _broker = null!;

    public async Task InitializeAsync()
    {
        _database = await GatewayDatabase.CreateAsync();
        _receiver = await Receiver.StartAsync();
        _broker = await Routing.Testing.TestBroker.CreateAsync();
    }

    public async Task DisposeAsync()
    {
        await _receiver.DisposeAsync();
        await _broker.DisposeAsync();
        await _database.DisposeAsync();
    }

    private System.Diagnostics.Process Start() => AdapterProcess.StartService(Path.Combine("services", "AgentGateway"), "Routing.AgentGateway", Port,
        new Dictionary<string, string>
        {
            ["ConnectionStrings__Gateway"] = _database.ConnectionString,
            ["RabbitMq__Url"] = _broker.Url,
            ["Gateway__AdminToken"] = AdminToken,
            ["Gateway__SecretKey"] = Convert.ToBase64String(new byte[32]),
            ["Gateway__Delivery__AttemptTimeout"] = "00:00:10",
            ["Gateway__Delivery__Lease"] = "00:00:12",
            ["Gateway__Delivery__PollInterval"] = "00:00:00.100",
            ["Gateway__Delivery__AllowPrivateNetworks"] = "true",
            ["Gateway__Delivery__AllowHttp"] = "true",
            ["Logging__LogLevel__Default"] = "Warning",
        });

    [Fact]
    public async Task Should_deliver_the_same_webhook_after_the_gateway_is_killed_mid_attempt()
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{Port}") };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
        // The first attempt hangs; the gateway dies while waiting for it.
        _receiver.Then(Receiver.Hang, 200);
        var first = Start();
        string secret;
        try
        {
            await AdapterHttp.WaitReadyAsync(http, http.BaseAddress!.ToString().TrimEnd('/'));
            var created = await (await http.PostAsJsonAsync("/admin/agents/anna/webhook-targets", new { url = _receiver.Url + "/hooks" }))
                .EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
            secret = created.GetProperty("secret").GetString()!;
            var store = new DeliveryStore(_database.DataSource);
            await store.EnqueueAsync("anna", Guid.NewGuid(), "conversation.assigned", Encoding.UTF8.GetBytes("""{"type":"conversation.assigned"}"""),
                DateTimeOffset.UtcNow, CancellationToken.None);
            await Eventually.TrueAsync("the first attempt at the receiver", () => Task.FromResult(_receiver.Requests.Count == 1));
        }
        finally
        {
            first.Kill(entireProcessTree: true);
            await first.WaitForExitAsync();
        }

        // The claim's lease (12 s from the claim) runs out; a new process picks the delivery up again.
        DeliveryRow delivered;
        using var second = Start();
        try
        {
            await Eventually.TrueAsync("the second attempt, after the lease", () => Task.FromResult(_receiver.Requests.Count == 2),
                TimeSpan.FromSeconds(12) + Eventually.Patience);
            // recorded once the tool's answer is in (the receiver counts the request before it answers)
            delivered = await Eventually.ValueAsync("the delivery recorded as delivered", async () =>
                (await new DeliveryStore(_database.DataSource).ListAsync("delivered", 10, CancellationToken.None)).SingleOrDefault());
        }
        finally
        {
            second.Kill(entireProcessTree: true);
            await second.WaitForExitAsync();
        }

        var attempts = _receiver.Requests.ToList();
        Assert.Equal(attempts[0].Id, attempts[1].Id);
        Assert.True(StandardWebhookSignature.Verify(secret, attempts[1].Id, attempts[1].Timestamp, attempts[1].Signature, attempts[1].Body,
            DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)));
        Assert.Equal(2, delivered.Attempts);
    }
}
