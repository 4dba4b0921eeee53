using Dapper;
using Npgsql;
using Routing.Outbox;
using System.Text.Json;

namespace Routing.Database;

/// <summary>
/// One routing transaction at one instant (<see cref="Now"/>, read once from the injected clock).
/// Events given to <see cref="Publish{T}"/> are written to the outbox in the same transaction, so a
/// crash between commit and publish loses nothing; the dispatcher publishes them after commit.
/// </summary>
internal sealed class RoutingTransaction(NpgsqlConnection connection, NpgsqlTransaction transaction, DateTimeOffset now, OutboxSignal signal) : IAsyncDisposable
{
    private readonly List<(Guid Id, string Type, string Payload)> _outbox = [];
    private readonly List<Action> _afterCommit = [];

    public NpgsqlConnection Connection => connection;
    public NpgsqlTransaction Transaction => transaction;
    public DateTimeOffset Now => now;

    public Guid NewId() => Guid.CreateVersion7(now);

    public void Publish<T>(T message) where T : class =>
        _outbox.Add((NewId(), typeof(T).Name, JsonSerializer.Serialize(message, ContractTypes.Json)));

    /// <summary>Runs only once the transaction committed (metrics, logs of what really happened).</summary>
    public void AfterCommit(Action action) => _afterCommit.Add(action);

    public CommandDefinition Command(string sql, object? parameters, CancellationToken ct) =>
        new(sql, parameters, transaction, cancellationToken: ct);

    public async Task CommitAsync(CancellationToken ct)
    {
        if (_outbox.Count > 0)
        {
            await connection.ExecuteAsync(Command(
                """
                insert into outbox (message_id, message_type, payload, created_at)
                select m.id, m.type, m.payload::jsonb, @now
                from unnest(@ids, @types::text[], @payloads::text[]) as m(id, type, payload)
                """,
                new { ids = _outbox.Select(o => o.Id).ToArray(), types = _outbox.Select(o => o.Type).ToArray(), payloads = _outbox.Select(o => o.Payload).ToArray(), now },
                ct));
        }
        await transaction.CommitAsync(ct);
        if (_outbox.Count > 0)
        {
            signal.Notify();
        }
        foreach (var action in _afterCommit)
        {
            action();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await transaction.DisposeAsync();
        await connection.DisposeAsync();
    }
}
