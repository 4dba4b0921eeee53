using Npgsql;
using Routing.AgentGateway.Events;

namespace Routing.AgentGateway.Database;

/// <summary>Opens the gateway's transactions, each at one instant read from the injected clock.</summary>
internal sealed class GatewayDb(NpgsqlDataSource db, EventSignal signal, TimeProvider time)
{
    public async Task<GatewayTransaction> BeginAsync(CancellationToken ct)
    {
        var connection = await db.OpenConnectionAsync(ct);
        try
        {
            return new GatewayTransaction(connection, await connection.BeginTransactionAsync(ct), time.GetUtcNow(), signal);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }
}

/// <summary>
/// One transaction of the gateway at one instant (<see cref="Now"/>). Agents' events appended in it are stored and
/// queued for the agents' tools with everything else it writes; once it commits, the agents that got events are
/// announced (to this replica's streams and dispatcher, and with NOTIFY to the others). A NOTIFY inside the transaction
/// would hold PostgreSQL's notification lock through the commit's WAL flush and make event-writing transactions commit
/// one at a time.
/// </summary>
internal sealed class GatewayTransaction(NpgsqlConnection connection, NpgsqlTransaction transaction, DateTimeOffset now, EventSignal signal) : IAsyncDisposable
{
    private readonly HashSet<string> _agents = new(StringComparer.Ordinal);

    public NpgsqlConnection Connection => connection;
    public NpgsqlTransaction Transaction => transaction;
    public DateTimeOffset Now => now;

    /// <summary>Writes the event for the agent; false when it was already written (a redelivered bus message).</summary>
    public async Task<bool> AppendAsync<TData>(Guid id, string agentId, string type, TData data, CancellationToken ct) where TData : IAgentEventData
    {
        if (!await AgentEventLog.AppendAsync(connection, transaction, id, agentId, type, data, now, ct))
        {
            return false;
        }
        _agents.Add(agentId);
        return true;
    }

    public async Task CommitAsync(CancellationToken ct)
    {
        await transaction.CommitAsync(ct);
        if (_agents.Count > 0)
        {
            signal.Announce(_agents);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await transaction.DisposeAsync();
        await connection.DisposeAsync();
    }
}
