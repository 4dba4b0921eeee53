using Routing.AgentGateway.Events;
using Routing.Testing;

namespace AgentGateway.Tests;

/// <summary>
/// The agent event stream (SSE) reads an agent's events by sequence number after the last one it sent. Two transactions
/// writing events for one agent commit in either order: if the one holding the lower number committed last, a stream
/// that had moved past the higher number never sent it. Events of one agent are now numbered in the order their
/// transactions commit, so a reader's cursor never passes one still to come.
/// </summary>
public sealed class AgentEventOrderTests : IAsyncLifetime
{
    private GatewayDatabase _database = null!;

    public async Task InitializeAsync() => _database = await GatewayDatabase.CreateAsync();

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task Should_never_let_the_stream_pass_an_event_committed_after_a_later_numbered_one()
    {
        const string agent = "anna";
        var events = new EventStore(_database.DataSource);
        var now = DateTimeOffset.UtcNow;
        Task<bool> Append(Npgsql.NpgsqlConnection connection, Npgsql.NpgsqlTransaction tx, string type) =>
            AgentEventLog.AppendAsync(connection, tx, Guid.NewGuid(), agent, type, new NoticeData(Guid.NewGuid(), type), now, CancellationToken.None);

        // The first transaction writes its event and has not committed yet.
        await using var slow = await _database.DataSource.OpenConnectionAsync();
        await using var slowTx = await slow.BeginTransactionAsync();
        await Append(slow, slowTx, "first");
        // The second writes one too and commits (or waits for the first, as it must now).
        var fast = Task.Run(async () =>
        {
            await using var connection = await _database.DataSource.OpenConnectionAsync();
            await using var tx = await connection.BeginTransactionAsync();
            await Append(connection, tx, "second");
            await tx.CommitAsync();
        });
        await Task.WhenAny(fast, Task.Delay(TimeSpan.FromMilliseconds(500)));

        // A stream reads meanwhile, and moves its cursor past whatever it got.
        var seen = new List<string>();
        var cursor = 0L;
        async Task ReadAsync()
        {
            foreach (var e in await events.AfterAsync(agent, cursor, 100, CancellationToken.None))
            {
                seen.Add(e.Type);
                cursor = e.Seq;
            }
        }
        await ReadAsync();
        await slowTx.CommitAsync();
        await fast;
        await Eventually.TrueAsync("both events read by the stream", async () =>
        {
            await ReadAsync();
            return seen.Count >= 2;
        }, TimeSpan.FromSeconds(5));

        Assert.Equal(["first", "second"], seen);
    }
}
