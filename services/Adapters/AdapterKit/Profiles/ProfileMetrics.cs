using System.Diagnostics.Metrics;
using Routing.Adapters.Webhooks;
using Routing.ServiceDefaults;

namespace Routing.Adapters.Profiles;

/// <summary>Profile lookups by channel and outcome (meter "Routing.Adapters").</summary>
public sealed class ProfileMetrics(IMeterFactory meterFactory)
{
    private readonly Counter<long> _lookups = meterFactory.Create(WebhookMetrics.MeterName).CreateCounter<long>("adapter.profile.lookups",
        description: "Customers' profile lookups by channel and outcome (found, not-found, refused, not-configured, failed, dropped, unpublished)");

    public void Looked(string channel, string outcome) =>
        _lookups.Add(1, new(TelemetryAttributes.Channel, channel), new(TelemetryAttributes.ProfileOutcome, outcome));
}
