using System.Diagnostics.Metrics;
using Routing.Adapters.Webhooks;
using Routing.ServiceDefaults;

namespace Routing.Adapters.Outbound;

/// <summary>
/// Agents' replies sent to the provider (meter "Routing.Adapters", counter adapter.sends), by channel and outcome: sent
/// (the provider took it), failed (refused for now; routing and the agent are told), failed-permanently (refused for
/// good: a blocked number, an expired window), unknown (no clear answer: never retried). Counted once per command, not
/// again for a redelivery answered from the first send.
/// </summary>
public sealed class SendMetrics(IMeterFactory meterFactory)
{
    private readonly Counter<long> _sends = meterFactory.Create(WebhookMetrics.MeterName).CreateCounter<long>("adapter.sends", unit: "{message}",
        description: "Replies sent to the provider, by channel and outcome (sent, failed, failed-permanently, unknown)");

    public void Sent(string channel, SendOutcome outcome) =>
        _sends.Add(1, new(TelemetryAttributes.Channel, channel), new(TelemetryAttributes.SendOutcome, outcome switch
        {
            { ProviderMessageId: not null } => "sent",
            { Uncertain: true } => "unknown",
            { Permanent: true } => "failed-permanently",
            _ => "failed",
        }));
}
