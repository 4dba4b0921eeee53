using MassTransit;
using Routing.Inbound;

namespace Routing;

internal static class RetryPolicies
{
    /// <summary>
    /// Deadlocks, serialization failures and lost connections are retried with growing delays; a
    /// message that can never succeed (invalid, or not JSON of the contract) goes to _error at once.
    /// </summary>
    public static void Transient(IRetryConfigurator retry)
    {
        retry.Ignore<InvalidMessageException>();
        retry.Ignore<System.Runtime.Serialization.SerializationException>();
        retry.Ignore<System.Text.Json.JsonException>();
        retry.Exponential(8, TimeSpan.FromMilliseconds(20), TimeSpan.FromSeconds(3), TimeSpan.FromMilliseconds(50));
    }
}
