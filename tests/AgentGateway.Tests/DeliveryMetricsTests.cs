using System.Diagnostics.Metrics;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Routing.ServiceDefaults;
using Routing.Testing;

namespace AgentGateway.Tests;

/// <summary>
/// The instruments operators alert on (issue 19), recorded by the running gateway: the time from routing's assignment to
/// the agent's tool, each event's wait for its tool, and the delivery backlog sampled from the database.
/// </summary>
public sealed class DeliveryMetricsTests : IClassFixture<GatewayHost>, IDisposable
{
    private readonly GatewayHost _gateway;
    private readonly InstrumentRecorder _recorder;

    public DeliveryMetricsTests(GatewayHost gateway)
    {
        _gateway = gateway;
        // this class's gateway's instruments only (its meter factory's), not those of gateways other test classes run
        _recorder = new InstrumentRecorder(_gateway.Services.GetRequiredService<IMeterFactory>(), "Routing.AgentGateway", "Routing.ServiceDefaults");
    }

    public void Dispose() => _recorder.Dispose();

    [Fact]
    public async Task Should_measure_an_assignment_from_routing_to_the_agents_tool()
    {
        var agent = await _gateway.AgentAsync(webhook: true);

        var conversation = await _gateway.AssignAsync(agent.AgentId);

        await Eventually.ValueAsync("the assignment delivered to the agent's webhook", () => Task.FromResult(_gateway.Receiver.Requests
            .Select(r => (JsonElement?)JsonDocument.Parse(r.Body).RootElement)
            .FirstOrDefault(e => e!.Value.GetProperty("type").GetString() == "conversation.assigned"
                                 && e.Value.GetProperty("data").ToString().Contains(conversation.Id.ToString(), StringComparison.Ordinal))));
        var toTool = await Eventually.ValueAsync<double>("gateway.assignment.to_tool recorded for a webhook", () => Task.FromResult(_recorder.All
            .Where(m => m.Instrument == "gateway.assignment.to_tool" && (string?)m.Tags[TelemetryAttributes.TargetKind] == "webhook").Select(m => (double?)m.Value).FirstOrDefault()));
        Assert.InRange(toTool, 0, 60);
        Assert.Contains(_recorder.All, m => m.Instrument == "gateway.delivery.lag" && (string?)m.Tags[TelemetryAttributes.EventType] == "conversation.assigned");
        Assert.Contains(_recorder.All, m => m.Instrument == "gateway.delivery.attempts" && (string?)m.Tags[TelemetryAttributes.DeliveryOutcome] == "delivered");
    }

    [Fact]
    public async Task Should_report_the_delivery_backlog_and_every_health_check()
    {
        // the sampler's first read happens as the gateway starts; the health checks' first publication 5 s later
        var observed = await Eventually.ValueAsync("the backlog gauges and health.check.status observed", () =>
        {
            _recorder.Observe();
            var names = _recorder.All.Select(m => m.Instrument).ToHashSet();
            return Task.FromResult(names.IsSupersetOf(["gateway.deliveries.pending", "gateway.deliveries.exhausted", "gateway.deliveries.oldest_pending_age", "health.check.status"])
                ? names : null);
        }, TimeSpan.FromSeconds(40));

        Assert.NotNull(observed);
        Assert.All(_recorder.All.Where(m => m.Instrument.StartsWith("gateway.deliveries.", StringComparison.Ordinal)), m => Assert.True(m.Value >= 0));
        var checks = _recorder.All.Where(m => m.Instrument == "health.check.status").Select(m => (string?)m.Tags[TelemetryAttributes.HealthCheckName]).ToHashSet();
        Assert.Contains("postgres", checks);
        Assert.Contains("masstransit-bus", checks);
    }
}
