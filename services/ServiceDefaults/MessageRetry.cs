using MassTransit;

namespace Routing.ServiceDefaults;

/// <summary>The retry every consumer of the platform uses.</summary>
public static class MessageRetry
{
    /// <summary>
    /// Deadlocks, serialization failures and lost connections are retried with growing delays; a message that can
    /// never succeed goes to _error at once: one the service finds invalid (<typeparamref name="TInvalid"/>), one that
    /// is not JSON of the contract, or data PostgreSQL refuses to store (SQLSTATE class 22, such as a NUL character in
    /// a text).
    /// </summary>
    public static void Transient<TInvalid>(IRetryConfigurator retry) where TInvalid : Exception
    {
        retry.Ignore<TInvalid>();
        retry.Ignore<System.Runtime.Serialization.SerializationException>();
        retry.Ignore<System.Text.Json.JsonException>();
        retry.Ignore<Npgsql.PostgresException>(e => e.SqlState.StartsWith("22", StringComparison.Ordinal));
        retry.Exponential(8, TimeSpan.FromMilliseconds(20), TimeSpan.FromSeconds(3), TimeSpan.FromMilliseconds(50));
    }
}
