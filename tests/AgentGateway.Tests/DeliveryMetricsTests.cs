using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Routing.Testing;

namespace AgentGateway.Tests;

/// <summary>
/// The instruments operators alert on (issue 19), recorded by the running gateway: the time from routing's assignment to
/// the agent's tool, each event's wait for its tool, and the delivery backlog sampled from the database.
/// </summary>
public sealed class DeliveryMetricsTests : IClassFixture<GatewayHost>, IDisposable
{
    private readonly GatewayHost _gateway;
    private readonly ConcurrentQueue<(string Instrument, double Value, Dictionary<string, object?> Tags)> _measured = new();
    private readonly MeterListener _listener;

    public DeliveryMetricsTests(GatewayHost gateway)
    {
        _gateway = gateway;
        _listener = Listen();
    }

    private MeterListener Listen()
    {
        // this class's gateway's instruments only (its meter factory's), not those of gateways other test classes run
        var factory = _gateway.Services.GetRequiredService<IMeterFactory>();
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (ReferenceEquals(instrument.Meter.Scope, factory) && instrument.Meter.Name is "Routing.AgentGateway" or "Routing.ServiceDefaults")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<double>((i, value, tags, _) => Record(i, value, tags));
        listener.SetMeasurementEventCallback<long>((i, value, tags, _) => Record(i, value, tags));
        listener.Start();
        return listener;
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags) =>
        _measured.Enqueue((instrument.Name, value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value)));

    public void Dispose() => _listener.Dispose();

    [Fact]
    public async Task Should_measure_an_assignment_from_routing_to_the_agents_tool()
    {
        var agent = await _gateway.AgentAsync(webhook: true);

        var conversation = await _gateway.AssignAsync(agent.AgentId);

        await Eventually.ValueAsync("the assignment delivered to the agent's webhook", () => Task.FromResult(_gateway.Receiver.Requests
            .Select(r => (JsonElement?)JsonDocument.Parse(r.Body).RootElement)
            .FirstOrDefault(e => e!.Value.GetProperty("type").GetString() == "conversation.assigned"
                                 && e.Value.GetProperty("data").ToString().Contains(conversation.Id.ToString(), StringComparison.Ordinal))));
        var toTool = await Eventually.ValueAsync<double>("gateway.assignment.to_tool recorded for a webhook", () => Task.FromResult(_measured
            .Where(m => m.Instrument == "gateway.assignment.to_tool" && (string?)m.Tags["kind"] == "webhook").Select(m => (double?)m.Value).FirstOrDefault()));
        Assert.InRange(toTool, 0, 60);
        Assert.Contains(_measured, m => m.Instrument == "gateway.delivery.lag" && (string?)m.Tags["event"] == "conversation.assigned");
        Assert.Contains(_measured, m => m.Instrument == "gateway.delivery.attempts" && (string?)m.Tags["outcome"] == "delivered");
    }

    [Fact]
    public async Task Should_report_the_delivery_backlog_and_every_health_check()
    {
        // the sampler's first read happens as the gateway starts; the health checks' first publication 5 s later
        var observed = await Eventually.ValueAsync("the backlog gauges and health.check.status observed", () =>
        {
            _listener.RecordObservableInstruments();
            var names = _measured.Select(m => m.Instrument).ToHashSet();
            return Task.FromResult(names.IsSupersetOf(["gateway.deliveries.pending", "gateway.deliveries.exhausted", "gateway.deliveries.oldest_pending_age", "health.check.status"])
                ? names : null);
        }, TimeSpan.FromSeconds(40));

        Assert.NotNull(observed);
        Assert.All(_measured.Where(m => m.Instrument.StartsWith("gateway.deliveries.", StringComparison.Ordinal)), m => Assert.True(m.Value >= 0));
        var checks = _measured.Where(m => m.Instrument == "health.check.status").Select(m => (string?)m.Tags["health.check.name"]).ToHashSet();
        Assert.Contains("postgres", checks);
        Assert.Contains("masstransit-bus", checks);
    }
}
