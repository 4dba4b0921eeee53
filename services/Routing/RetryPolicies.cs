using MassTransit;
using Routing.Inbound;

namespace Routing;

internal static class RetryPolicies
{
    /// <summary>
    /// Deadlocks, serialization failures and lost connections are retried with growing delays; a
    /// message that can never succeed (invalid, not JSON of the contract, or data PostgreSQL refuses
    /// to store, SQLSTATE class 22, such as a NUL character in a text) goes to _error at once.
    /// </summary>
    public static void Transient(IRetryConfigurator retry)
    {
        retry.Ignore<InvalidMessageException>();
        retry.Ignore<System.Runtime.Serialization.SerializationException>();
        retry.Ignore<System.Text.Json.JsonException>();
        retry.Ignore<Npgsql.PostgresException>(e => e.SqlState.StartsWith("22", StringComparison.Ordinal));
        retry.Exponential(8, TimeSpan.FromMilliseconds(20), TimeSpan.FromSeconds(3), TimeSpan.FromMilliseconds(50));
    }
}
