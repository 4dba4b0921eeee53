using System.Diagnostics.Metrics;
using Routing.ServiceDefaults;

namespace Routing.AgentGateway.Delivery;

/// <summary>
/// What operators watch of the deliveries into agents' tools (meter "Routing.AgentGateway"): each attempt's outcome, how
/// long an event waited for its tool, how long an assignment took from routing's decision to the agent's tool, and the
/// backlog (pending, the oldest pending's age, exhausted), sampled from the database every 15 s by every replica (the same
/// table: take the max across replicas).
/// </summary>
internal sealed class DeliveryMetrics
{
    private readonly Counter<long> _attempts;
    private readonly Histogram<double> _lag;
    private readonly Histogram<double> _assignmentToTool;
    private DeliveryBacklog? _backlog;

    public DeliveryMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(GatewayServiceExtensions.MeterName);
        _attempts = meter.CreateCounter<long>("gateway.delivery.attempts",
            description: "Delivery attempts into agents' tools by kind (webhook, slack, email) and outcome (delivered, retry, exhausted, disabled)");
        _lag = meter.CreateHistogram<double>("gateway.delivery.lag", unit: "s",
            description: "From an event queued for an agent's tool to the tool accepting it, by kind and event type");
        _assignmentToTool = meter.CreateHistogram<double>("gateway.assignment.to_tool", unit: "s",
            description: "From routing assigning a conversation to the agent's tool accepting the assignment, by kind");
        meter.CreateObservableGauge("gateway.deliveries.pending", () => Backlog(b => b.Pending), unit: "{delivery}",
            description: "Deliveries waiting for their tools (due, retrying or in flight)");
        meter.CreateObservableGauge("gateway.deliveries.oldest_pending_age", () => Backlog(b => b.OldestPendingSeconds), unit: "s",
            description: "Age of the oldest delivery waiting for its tool (0 when none waits)");
        meter.CreateObservableGauge("gateway.deliveries.exhausted", () => Backlog(b => b.Exhausted), unit: "{delivery}",
            description: "Deliveries that ran out of attempts and were not replayed (the admin API lists them)");
    }

    public void Attempt(string kind, string outcome) =>
        _attempts.Add(1, new(TelemetryAttributes.TargetKind, kind), new(TelemetryAttributes.DeliveryOutcome, outcome));

    public void Delivered(ClaimedDelivery delivery, DateTimeOffset now)
    {
        if (delivery.QueuedAt is { } queued)
        {
            _lag.Record(Seconds(now, queued), new(TelemetryAttributes.TargetKind, delivery.Kind), new(TelemetryAttributes.EventType, delivery.EventType));
        }
        if (delivery.AssignedAt is { } assigned)
        {
            _assignmentToTool.Record(Seconds(now, assigned), new KeyValuePair<string, object?>(TelemetryAttributes.TargetKind, delivery.Kind));
        }
    }

    public void Sampled(DeliveryBacklog backlog) => _backlog = backlog;

    private IEnumerable<Measurement<T>> Backlog<T>(Func<DeliveryBacklog, T> value) where T : struct =>
        _backlog is { } b ? [new Measurement<T>(value(b))] : [];

    private static double Seconds(DateTimeOffset now, DateTime at) =>
        Math.Max(0, (now - new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc))).TotalSeconds);
}

/// <summary>Samples the delivery backlog for <see cref="DeliveryMetrics"/> every 15 s.</summary>
internal sealed class DeliveryBacklogSampler(DeliveryStore store, DeliveryMetrics metrics, TimeProvider time, ILogger<DeliveryBacklogSampler> logger)
    : PeriodicSampler(TimeSpan.FromSeconds(15), time, logger)
{
    public override async Task SampleAsync(CancellationToken ct) => metrics.Sampled(await store.BacklogAsync(Time.GetUtcNow(), ct));
}
