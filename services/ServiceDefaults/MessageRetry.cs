using MassTransit;
using Npgsql;

namespace Routing.ServiceDefaults;

/// <summary>
/// The retries every consumer of the platform uses, in this order: <see cref="Outage"/> outside, <see cref="Transient"/>
/// inside. A message is dead-lettered only when it is at fault, never because the database was away.
/// </summary>
public static class MessageRetry
{
    /// <summary>
    /// The database out of reach (a crash, a failover or switchover, a restart, connections reset or refused, a primary
    /// turned read-only): retried every few seconds until it is back, however long that takes, so an outage dead-letters
    /// nothing. The message stays unacknowledged meanwhile, and returns to the queue if the process dies. An outage longer
    /// than RabbitMQ's consumer timeout (30 minutes by default) closes the channel, which redelivers the message and counts
    /// against the quorum queue's delivery limit.
    /// </summary>
    public static void Outage(IRetryConfigurator retry)
    {
        retry.Handle<Exception>(IsOutage);
        retry.Exponential(int.MaxValue, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(200));
    }

    /// <summary>
    /// Deadlocks and serialization failures are retried with growing delays; a message that can never succeed goes to
    /// _error at once: one the service finds invalid (<typeparamref name="TInvalid"/>), one that is not JSON of the
    /// contract, or data PostgreSQL refuses to store (SQLSTATE class 22, such as a NUL character in a text). Outages are
    /// left to <see cref="Outage"/>, outside this one.
    /// </summary>
    public static void Transient<TInvalid>(IRetryConfigurator retry) where TInvalid : Exception
    {
        retry.Ignore<TInvalid>();
        retry.Ignore<System.Runtime.Serialization.SerializationException>();
        retry.Ignore<System.Text.Json.JsonException>();
        retry.Ignore<PostgresException>(e => e.SqlState.StartsWith("22", StringComparison.Ordinal));
        retry.Ignore<Exception>(IsOutage);
        retry.Exponential(8, TimeSpan.FromMilliseconds(20), TimeSpan.FromSeconds(3), TimeSpan.FromMilliseconds(50));
    }

    /// <summary>Whether the exception says the database cannot be reached or written now, rather than that the message is wrong.</summary>
    public static bool IsOutage(Exception exception) => exception switch
    {
        // connection exceptions (08), shutting down or starting up (57P01-57P03), no connection slot (53300), a primary
        // demoted to a standby during a switchover (25006), and a server that cannot write now: its disk full (53100),
        // out of memory (53200), an I/O error (58030). An operator frees the disk; the message was never at fault.
        PostgresException postgres => postgres.SqlState.StartsWith("08", StringComparison.Ordinal)
                                      || postgres.SqlState is "57P01" or "57P02" or "57P03" or "53300" or "25006" or "53100" or "53200" or "58030",
        // I/O errors, refused or reset connections, timeouts, an exhausted pool
        NpgsqlException npgsql => npgsql.IsTransient,
        _ => exception.InnerException is { } inner && IsOutage(inner),
    };
}
