using System.Diagnostics.Metrics;
using Routing.ServiceDefaults;

namespace Routing.Adapters.Webhooks;

/// <summary>Webhook deliveries by channel and outcome (meter "Routing.Adapters").</summary>
public sealed class WebhookMetrics
{
    public const string MeterName = "Routing.Adapters";

    private readonly Counter<long> _deliveries;
    private readonly Counter<long> _published;
    private readonly Counter<long> _skipped;
    private readonly Counter<long> _relayed;
    private readonly Counter<long> _quarantined;
    private readonly Histogram<double> _spoolWait;
    private readonly Meter _meter;

    public WebhookMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _deliveries = meter.CreateCounter<long>("adapter.webhook.deliveries", description: "Webhook deliveries by channel and outcome (accepted, spooled, unsigned, bad-signature, malformed, too-large, broker-unavailable)");
        _published = meter.CreateCounter<long>("adapter.webhook.published", description: "Messages and statuses published from accepted deliveries");
        _skipped = meter.CreateCounter<long>("adapter.webhook.items.skipped", description: "Malformed items of batched deliveries left out, the rest published");
        _relayed = meter.CreateCounter<long>("adapter.spool.relayed", description: "Spooled deliveries the broker confirmed at last, by channel");
        _quarantined = meter.CreateCounter<long>("adapter.spool.quarantined", description: "Spooled files that could not be read, moved to quarantine/");
        _spoolWait = meter.CreateHistogram<double>("adapter.spool.wait", unit: "s", description: "How long spooled deliveries waited on disk for the broker");
        _meter = meter;
    }

    public void Accepted(string channel, int messages, int statuses)
    {
        _deliveries.Add(1, new(TelemetryAttributes.Channel, channel), new(TelemetryAttributes.WebhookOutcome, "accepted"));
        _published.Add(messages, new(TelemetryAttributes.Channel, channel), new(TelemetryAttributes.WebhookItem, "message"));
        _published.Add(statuses, new(TelemetryAttributes.Channel, channel), new(TelemetryAttributes.WebhookItem, "status"));
    }

    /// <summary>The broker did not confirm in time, and the delivery was written to the spool and answered 200.</summary>
    public void Spooled(string channel, int messages, int statuses)
    {
        _deliveries.Add(1, new(TelemetryAttributes.Channel, channel), new(TelemetryAttributes.WebhookOutcome, "spooled"));
        _published.Add(messages, new(TelemetryAttributes.Channel, channel), new(TelemetryAttributes.WebhookItem, "message"));
        _published.Add(statuses, new(TelemetryAttributes.Channel, channel), new(TelemetryAttributes.WebhookItem, "status"));
    }

    public void Relayed(string channel, int messages, int statuses, TimeSpan waited)
    {
        _relayed.Add(1, new KeyValuePair<string, object?>(TelemetryAttributes.Channel, channel));
        _spoolWait.Record(waited.TotalSeconds, new KeyValuePair<string, object?>(TelemetryAttributes.Channel, channel));
    }

    public void SpoolQuarantined() => _quarantined.Add(1);

    /// <summary>The gauge of deliveries waiting on disk; an alert on it says the broker has not taken them back.</summary>
    public void ObserveSpool(Func<int> waiting) =>
        _meter.CreateObservableGauge("adapter.spool.waiting", waiting, description: "Deliveries spooled on disk, waiting for the broker");

    public void Skipped(string channel, int items) => _skipped.Add(items, new KeyValuePair<string, object?>(TelemetryAttributes.Channel, channel));

    public void Refused(string channel, string outcome) =>
        _deliveries.Add(1, new(TelemetryAttributes.Channel, channel), new(TelemetryAttributes.WebhookOutcome, outcome));
}
