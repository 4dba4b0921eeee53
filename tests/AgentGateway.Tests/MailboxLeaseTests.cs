using Dapper;
using Routing.AgentGateway.Email;

namespace AgentGateway.Tests;

/// <summary>One gateway replica at a time reads the agents' reply mailbox: the one holding its lease in PostgreSQL.</summary>
public sealed class MailboxLeaseTests : IAsyncLifetime
{
    private GatewayDatabase _database = null!;

    public async Task InitializeAsync() => _database = await GatewayDatabase.CreateAsync();

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task Should_let_one_replica_read_a_mailbox_and_another_take_over_when_it_stops()
    {
        var first = await MailboxLease.TryAcquireAsync(_database.DataSource, "replies@example.com", CancellationToken.None);
        var second = await MailboxLease.TryAcquireAsync(_database.DataSource, "replies@example.com", CancellationToken.None);
        await using var otherMailbox = await MailboxLease.TryAcquireAsync(_database.DataSource, "replies@example.org", CancellationToken.None);

        Assert.NotNull(first);
        Assert.Null(second);
        Assert.NotNull(otherMailbox);
        Assert.True(await first.HeldAsync(CancellationToken.None));
        await first.DisposeAsync();
        await using var takeover = await MailboxLease.TryAcquireAsync(_database.DataSource, "replies@example.com", CancellationToken.None);
        Assert.NotNull(takeover);
    }

    [Fact]
    public async Task Should_know_its_lease_is_lost_when_its_database_session_ends()
    {
        await using var holder = await MailboxLease.TryAcquireAsync(_database.DataSource, "replies@example.com", CancellationToken.None);
        Assert.NotNull(holder);

        // The session dies, as with a database failover or a connection cut: the lock goes with it.
        await using (var admin = await _database.DataSource.OpenConnectionAsync())
        {
            Assert.True(await admin.ExecuteScalarAsync<bool>("select pg_terminate_backend(@pid)", new { pid = holder.SessionId }));
        }

        Assert.False(await holder.HeldAsync(CancellationToken.None));
        await using var takeover = await MailboxLease.TryAcquireAsync(_database.DataSource, "replies@example.com", CancellationToken.None);
        Assert.NotNull(takeover);
    }
}
