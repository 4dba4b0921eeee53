using MassTransit;
using Routing.Inbound;
using Routing.ServiceDefaults;

namespace Routing;

internal static class RetryPolicies
{
    /// <summary>The platform's retry (ServiceDefaults.MessageRetry), with routing's invalid message going to _error at once.</summary>
    public static void Transient(IRetryConfigurator retry) => MessageRetry.Transient<InvalidMessageException>(retry);
}
