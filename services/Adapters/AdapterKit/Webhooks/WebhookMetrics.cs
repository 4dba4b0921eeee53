using System.Diagnostics.Metrics;

namespace Routing.Adapters.Webhooks;

/// <summary>Webhook deliveries by channel and outcome (meter "Routing.Adapters").</summary>
public sealed class WebhookMetrics
{
    public const string MeterName = "Routing.Adapters";

    private readonly Counter<long> _deliveries;
    private readonly Counter<long> _published;
    private readonly Counter<long> _skipped;

    public WebhookMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _deliveries = meter.CreateCounter<long>("adapter.webhook.deliveries", description: "Webhook deliveries by channel and outcome (accepted, unsigned, bad-signature, malformed, too-large, broker-unavailable)");
        _published = meter.CreateCounter<long>("adapter.webhook.published", description: "Messages and statuses published from accepted deliveries");
        _skipped = meter.CreateCounter<long>("adapter.webhook.items.skipped", description: "Malformed items of batched deliveries left out, the rest published");
    }

    public void Accepted(string channel, int messages, int statuses)
    {
        _deliveries.Add(1, new("channel", channel), new("outcome", "accepted"));
        _published.Add(messages, new("channel", channel), new("kind", "message"));
        _published.Add(statuses, new("channel", channel), new("kind", "status"));
    }

    public void Skipped(string channel, int items) => _skipped.Add(items, new KeyValuePair<string, object?>("channel", channel));

    public void Refused(string channel, string outcome) =>
        _deliveries.Add(1, new("channel", channel), new("outcome", outcome));
}
