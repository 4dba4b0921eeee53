using System.Net.Sockets;
using Npgsql;
using Routing.ServiceDefaults;

namespace Routing.UnitTests;

/// <summary>Which failures are an outage, waited out for as long as it lasts, and which say the message itself is at fault.</summary>
public sealed class MessageRetryTests
{
    [Theory]
    [InlineData("08006")] // connection failure
    [InlineData("57P01")] // admin shutdown: a restart or a switchover
    [InlineData("57P03")] // the database is starting up
    [InlineData("53300")] // too many connections
    [InlineData("25006")] // read-only: a primary demoted in a switchover
    [InlineData("53100")] // disk full (make chaos, postgres-disk-full: 3 events dead-lettered before this)
    [InlineData("53200")] // out of memory
    [InlineData("58030")] // an I/O error writing
    public void Should_wait_out_a_database_that_is_away(string sqlState) =>
        Assert.True(MessageRetry.IsOutage(new PostgresException("away", "FATAL", "FATAL", sqlState)));

    [Fact]
    public void Should_wait_out_connections_reset_or_refused_even_when_wrapped()
    {
        var reset = new NpgsqlException("Exception while reading from stream", new IOException("Connection reset by peer"));
        var refused = new NpgsqlException("Failed to connect", new SocketException((int)SocketError.ConnectionRefused));

        Assert.True(MessageRetry.IsOutage(reset));
        Assert.True(MessageRetry.IsOutage(refused));
        Assert.True(MessageRetry.IsOutage(new InvalidOperationException("routing the batch failed", reset)));
    }

    [Theory]
    [InlineData("22021")] // a NUL byte in a text: the message is at fault
    [InlineData("23505")] // a unique violation: a bug, not an outage
    [InlineData("40P01")] // a deadlock: retried a few times by the inner policy, not for ever
    public void Should_not_wait_for_ever_on_what_a_retry_cannot_cure(string sqlState) =>
        Assert.False(MessageRetry.IsOutage(new PostgresException("refused", "ERROR", "ERROR", sqlState)));

    [Fact]
    public void Should_not_take_a_plain_failure_for_an_outage() =>
        Assert.False(MessageRetry.IsOutage(new InvalidOperationException("no such conversation")));
}
