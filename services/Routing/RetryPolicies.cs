using MassTransit;
using Routing.Inbound;
using Routing.ServiceDefaults;

namespace Routing;

internal static class RetryPolicies
{
    /// <summary>
    /// The platform's retries (ServiceDefaults.MessageRetry): a database outage waited out however long it lasts,
    /// contention retried a few times, routing's invalid message to _error at once.
    /// </summary>
    public static void UseRoutingRetry(this IReceiveEndpointConfigurator endpoint)
    {
        endpoint.UseMessageRetry(MessageRetry.Outage);
        endpoint.UseMessageRetry(MessageRetry.Transient<InvalidMessageException>);
    }
}
