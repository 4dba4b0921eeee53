using System.Diagnostics;
using Routing.ServiceDefaults;

namespace Routing.AgentGateway.Delivery;

/// <summary>
/// The gateway's spans: one per delivery attempt, continuing the trace of the routing event the delivery comes from
/// (stored with the delivery), so the webhook's request to the agent's tool is in the same trace as the customer's webhook.
/// </summary>
internal static class GatewayTracing
{
    public static readonly ActivitySource Source = new(ServiceTracing.SourcePrefix + "AgentGateway");
}
