using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Routing.ServiceDefaults;
using Routing.Testing;

namespace Routing.IntegrationTests.Broker;

/// <summary>
/// The bus watchdog on a real broker: a service consumes the probes it sends itself, and stops with exit code 75 (to be
/// restarted) when probes the broker confirmed are consumed by nobody, which is what a receive endpoint left on a
/// deadlocked connection looks like from outside (make chaos, broker-kill: the SMS adapter's sends queue stood with no
/// consumer for minutes after RabbitMQ came back, 38 replies never sent).
/// </summary>
public sealed class BusWatchdogTests : InfrastructureTest
{
    [Fact]
    public async Task Should_consume_its_own_probes_and_stop_for_a_restart_when_they_go_unconsumed()
    {
        await using var app = new RoutingApp(Database.ConnectionString, Broker.Url, new Dictionary<string, string?>
        {
            ["RabbitMq:Watchdog:Interval"] = "00:00:00.200",
            ["RabbitMq:Watchdog:Limit"] = "00:00:03",
        });
        using var api = app.CreateClient();
        await Eventually.TrueAsync("routing's /health/ready", async () => (await api.GetAsync("/health/ready")).IsSuccessStatusCode);
        var ledger = app.Services.GetRequiredService<ProbeLedger>();
        var probe = app.Services.GetRequiredService<BusProbeEndpoint>();
        var lifetime = app.Services.GetRequiredService<IHostApplicationLifetime>();

        var started = ledger.LastConsumedAt;
        await Eventually.TrueAsync("a probe consumed", () => Task.FromResult(ledger.LastConsumedAt > started));
        // the management API's statistics lag the queue by a few seconds
        var queue = await Eventually.ValueAsync("the probe queue with its consumer", async () =>
            await Broker.QueueInfoAsync(probe.Name) is var info && info.TryGetProperty("consumers", out var consumers) && consumers.GetInt32() == 1
                ? (System.Text.Json.JsonElement?)info : null);
        Assert.False(queue.GetProperty("durable").GetBoolean());
        Assert.True(queue.GetProperty("auto_delete").GetBoolean());
        Assert.True((await api.GetAsync("/health/live")).IsSuccessStatusCode);

        try
        {
            // From now on the probes go, confirmed, where nobody consumes them (an exchange no queue is bound to).
            probe.Address = new Uri(probe.Address!.ToString().Replace(probe.Name, probe.Name + "-nobody", StringComparison.Ordinal));

            await Eventually.TrueAsync("the host stopping", () => Task.FromResult(lifetime.ApplicationStopping.IsCancellationRequested));
            Assert.Equal(BusWatchdog.ExitCode, Environment.ExitCode);
            Assert.NotNull(ledger.Overdue(TimeSpan.FromSeconds(3)));
        }
        finally
        {
            Environment.ExitCode = 0;
        }
    }
}
