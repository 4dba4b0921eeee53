using Routing.Adapters.Testing;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Routing.AgentGateway.Database;
using Routing.AgentGateway.Delivery;
using Routing.Testing;

namespace AgentGateway.Tests;

/// <summary>
/// Webhook delivery on a real PostgreSQL to a real receiver on 127.0.0.1: retries keep the webhook-id and sign
/// afresh, 410 disables the target, exhausted deliveries are listed and replayed, a replica that dies mid-attempt
/// loses nothing, an event delivered twice to the gateway is queued once.
/// </summary>
public sealed class WebhookDeliveryTests : IAsyncLifetime
{
    private static readonly string Key = Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());
    private readonly string _secret = StandardWebhookSignature.NewSecret();
    private GatewayDatabase _database = null!;
    private Receiver _receiver = null!;
    private ServiceProvider _services = null!;

    private DeliveryStore Store => _services.GetRequiredService<DeliveryStore>();

    public async Task InitializeAsync()
    {
        _database = await GatewayDatabase.CreateAsync();
        _receiver = await Receiver.StartAsync();
        _services = Services(allowPrivateNetworks: true);
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _receiver.DisposeAsync();
        await _database.DisposeAsync();
    }

    private ServiceProvider Services(bool allowPrivateNetworks) => new ServiceCollection()
        .AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Gateway:SecretKey"] = Key,
            ["Gateway:Delivery:MaxAttempts"] = "4",
            ["Gateway:Delivery:FirstDelay"] = "00:00:00.100",
            ["Gateway:Delivery:AttemptTimeout"] = "00:00:01",
            ["Gateway:Delivery:Lease"] = "00:00:02",
            ["Gateway:Delivery:PollInterval"] = "00:00:00.050",
            ["Gateway:Delivery:AllowPrivateNetworks"] = allowPrivateNetworks ? "true" : "false",
            ["Gateway:Delivery:AllowHttp"] = "true",
        }).Build())
        .AddSingleton(TimeProvider.System).AddLogging().AddMetrics()
        .AddSingleton(_database.DataSource)
        .AddWebhookDelivery()
        .BuildServiceProvider();

    private async Task<Guid> TargetAsync(string path = "/hooks") =>
        await _services.GetRequiredService<TargetStore>().AddTargetAsync("anna", _receiver.Url + path, _services.GetRequiredService<SecretBox>().Seal(_secret), CancellationToken.None);

    private async Task<Guid> EnqueueAsync(Guid? source = null)
    {
        var id = source ?? Guid.NewGuid();
        await Store.EnqueueAsync("anna", id, "conversation.assigned", Encoding.UTF8.GetBytes($$"""{"type":"conversation.assigned","source":"{{id}}"}"""),
            DateTimeOffset.UtcNow, CancellationToken.None);
        return id;
    }

    private async Task RunDispatcherUntilAsync(Func<Task<bool>> done)
    {
        var dispatcher = _services.GetServices<IHostedService>().OfType<DeliveryDispatcher>().Single();
        await dispatcher.StartAsync(CancellationToken.None);
        try
        {
            var deadline = DateTime.UtcNow + Eventually.Patience;
            while (!await done())
            {
                if (DateTime.UtcNow > deadline)
                {
                    var row = await OnlyDeliveryAsync();
                    Assert.Fail($"the delivery did not reach the expected state in {Eventually.Patience.TotalSeconds:0} s: {row.Status} after {row.Attempts} attempts ({row.LastStatus} {row.LastError}); the receiver got {_receiver.Requests.Count}");
                }
                await Task.Delay(50);
            }
        }
        finally
        {
            await dispatcher.StopAsync(CancellationToken.None);
        }
    }

    private async Task<string> StatusAsync() => (await OnlyDeliveryAsync()).Status;

    private async Task<DeliveryRow> OnlyDeliveryAsync()
    {
        foreach (var status in new[] { "pending", "delivered", "exhausted", "abandoned" })
        {
            if ((await Store.ListAsync(status, 10, CancellationToken.None)).SingleOrDefault() is { } row)
            {
                return row;
            }
        }
        throw new InvalidOperationException("no delivery");
    }

    [Fact]
    public async Task Should_deliver_in_the_trace_of_the_event_the_delivery_came_from()
    {
        var spans = new System.Collections.Concurrent.ConcurrentQueue<System.Diagnostics.Activity>();
        using var listener = new System.Diagnostics.ActivityListener
        {
            ShouldListenTo = source => source.Name is "Routing.AgentGateway" or "trace-test" or "System.Net.Http",
            Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) => System.Diagnostics.ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        System.Diagnostics.ActivitySource.AddActivityListener(listener);
        using var test = new System.Diagnostics.ActivitySource("trace-test");
        await TargetAsync();
        System.Diagnostics.ActivityTraceId trace;
        using (var routingEvent = test.StartActivity("consume ConversationAssigned", System.Diagnostics.ActivityKind.Consumer)!)
        {
            trace = routingEvent.TraceId;
            await EnqueueAsync();
        }
        // queued outside any trace: its delivery starts one of its own
        await EnqueueAsync();

        // until both attempts ended, not just reached the receiver: the dispatcher stopped mid-attempt ends its span with no outcome
        await RunDispatcherUntilAsync(() => Task.FromResult(_receiver.TraceParents.Count >= 2
            && spans.Count(s => s.Source.Name == "Routing.AgentGateway" && s.GetTagItem("gateway.delivery.outcome") is not null
                                && (s.TraceId == trace || _receiver.TraceParents.Any(t => t.Contains(s.TraceId.ToHexString(), StringComparison.Ordinal)))) >= 2));

        var traces = _receiver.TraceParents.Select(t => t.Split('-')).Where(p => p.Length == 4).Select(p => p[1]).ToList();
        Assert.Equal(2, traces.Count);
        Assert.Contains(trace.ToHexString(), traces);
        Assert.Single(traces, t => t != trace.ToHexString());
        var attempt = Assert.Single(spans, s => s.Source.Name == "Routing.AgentGateway" && s.TraceId == trace);
        Assert.Equal("deliver conversation.assigned", attempt.DisplayName);
        Assert.Equal("delivered", attempt.GetTagItem("gateway.delivery.outcome"));
    }

    [Fact]
    public async Task Should_retry_a_flaky_receiver_with_the_same_id_and_a_fresh_valid_signature()
    {
        await TargetAsync();
        _receiver.Then(503, 503, 200);
        await EnqueueAsync();

        await RunDispatcherUntilAsync(async () => await StatusAsync() == "delivered");

        var attempts = _receiver.Requests.ToList();
        Assert.Equal(3, attempts.Count);
        Assert.Single(attempts.Select(a => a.Id).Distinct());
        Assert.All(attempts, a => Assert.True(StandardWebhookSignature.Verify(_secret, a.Id, a.Timestamp, a.Signature, a.Body, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5))));
        var delivery = await OnlyDeliveryAsync();
        Assert.Equal(("msg_" + delivery.Id.ToString("N"), 3, 200), (attempts[0].Id, delivery.Attempts, delivery.LastStatus));
    }

    [Fact]
    public async Task Should_retry_after_a_hang()
    {
        await TargetAsync();
        _receiver.Then(Receiver.Hang, 200);
        await EnqueueAsync();

        await RunDispatcherUntilAsync(async () => await StatusAsync() == "delivered");

        Assert.Equal(2, _receiver.Requests.Count);
    }

    [Fact]
    public async Task Should_disable_a_target_that_answers_410_and_abandon_what_was_pending_for_it()
    {
        await TargetAsync();
        _receiver.Then(410);
        await EnqueueAsync();

        await RunDispatcherUntilAsync(async () => await StatusAsync() == "abandoned");

        Assert.Single(_receiver.Requests);
        Assert.Contains("410", (await OnlyDeliveryAsync()).LastError);
        // The disabled target gets nothing more.
        Assert.Equal(0, await Store.EnqueueAsync("anna", Guid.NewGuid(), "conversation.assigned", "{}"u8.ToArray(), DateTimeOffset.UtcNow, CancellationToken.None));
    }

    [Fact]
    public async Task Should_exhaust_after_the_last_attempt_then_deliver_the_same_webhook_when_replayed()
    {
        await TargetAsync();
        _receiver.Then(500);
        await EnqueueAsync();

        await RunDispatcherUntilAsync(async () => await StatusAsync() == "exhausted");
        var exhausted = Assert.Single(await Store.ListAsync("exhausted", 10, CancellationToken.None));
        Assert.Equal((4, 500), (exhausted.Attempts, exhausted.LastStatus));

        _receiver.Then(200);
        Assert.True(await Store.ReplayAsync(exhausted.Id, DateTimeOffset.UtcNow, CancellationToken.None));
        await RunDispatcherUntilAsync(async () => await StatusAsync() == "delivered");

        Assert.Equal(5, _receiver.Requests.Count);
        Assert.Single(_receiver.Requests.Select(r => r.Id).Distinct());
    }

    [Fact]
    public async Task Should_deliver_what_a_replica_claimed_before_dying_once_its_lease_ends()
    {
        await TargetAsync();
        _receiver.Then(200);
        await EnqueueAsync();
        // A replica claims the delivery, then dies before it sends or records anything.
        Assert.Single(await Store.ClaimDueAsync(10, TimeSpan.FromSeconds(1), DateTimeOffset.UtcNow, CancellationToken.None));

        await RunDispatcherUntilAsync(async () => await StatusAsync() == "delivered");

        Assert.Single(_receiver.Requests);
        Assert.Equal(2, (await OnlyDeliveryAsync()).Attempts);
    }

    [Fact]
    public async Task Should_queue_a_redelivered_event_once()
    {
        await TargetAsync();
        var source = await EnqueueAsync();
        await EnqueueAsync(source);

        Assert.Single(await Store.ListAsync("pending", 10, CancellationToken.None));
    }

    [Fact]
    public async Task Should_refuse_a_target_on_the_gateways_own_network_and_disable_it()
    {
        await using var strict = Services(allowPrivateNetworks: false);
        var store = strict.GetRequiredService<DeliveryStore>();
        await strict.GetRequiredService<TargetStore>().AddTargetAsync("anna", _receiver.Url + "/hooks", strict.GetRequiredService<SecretBox>().Seal(_secret), CancellationToken.None);
        await store.EnqueueAsync("anna", Guid.NewGuid(), "conversation.assigned", "{}"u8.ToArray(), DateTimeOffset.UtcNow, CancellationToken.None);
        var dispatcher = strict.GetServices<IHostedService>().OfType<DeliveryDispatcher>().Single();

        await dispatcher.StartAsync(CancellationToken.None);
        try
        {
            await Eventually.TrueAsync("the delivery to a loopback target to be abandoned",
                async () => (await store.ListAsync("abandoned", 10, CancellationToken.None)).Count > 0);
        }
        finally
        {
            await dispatcher.StopAsync(CancellationToken.None);
        }

        Assert.Contains("loopback", Assert.Single(await store.ListAsync("abandoned", 10, CancellationToken.None)).LastError);
        Assert.Empty(_receiver.Requests);
    }
}

/// <summary>A fresh database with the gateway's schema, dropped afterwards.</summary>
internal sealed class GatewayDatabase : IAsyncDisposable
{
    private readonly string _admin;
    private readonly string _name;

    private GatewayDatabase(string admin, string name, string connectionString) =>
        (_admin, _name, ConnectionString, DataSource) = (admin, name, connectionString, NpgsqlDataSource.Create(connectionString));

    public string ConnectionString { get; }

    public NpgsqlDataSource DataSource { get; }

    public static async Task<GatewayDatabase> CreateAsync()
    {
        var admin = await TestInfrastructure.PostgresAsync();
        var name = "gateway_test_" + Guid.NewGuid().ToString("N")[..16];
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await new NpgsqlCommand($"create database {name}", connection).ExecuteNonQueryAsync();
        }
        var database = new GatewayDatabase(admin, name, new NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString);
        await new GatewayMigrations(database.DataSource, Microsoft.Extensions.Logging.Abstractions.NullLogger<GatewayMigrations>.Instance).ApplyAsync(CancellationToken.None);
        return database;
    }

    public async ValueTask DisposeAsync()
    {
        await DataSource.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await Routing.Testing.TestDatabase.DropAsync(_admin, _name);
    }
}
