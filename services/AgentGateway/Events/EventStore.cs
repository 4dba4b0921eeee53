using Dapper;
using Npgsql;

namespace Routing.AgentGateway.Events;

internal sealed record StoredEvent(long Seq, string Type, byte[] Body);

/// <summary>The agents' events as the event stream reads them, and their retention.</summary>
internal sealed class EventStore(NpgsqlDataSource db)
{
    public async Task<IReadOnlyList<StoredEvent>> AfterAsync(string agentId, long after, int limit, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return (await connection.QueryAsync<StoredEvent>(new CommandDefinition(
            "select seq, type, body from gateway_agent_events where agent_id = @agentId and seq > @after order by seq limit @limit",
            new { agentId, after, limit }, cancellationToken: ct))).ToList();
    }

    /// <summary>The agent's latest event, where a stream without Last-Event-ID starts.</summary>
    public async Task<long> LatestAsync(string agentId, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            "select max(seq) from gateway_agent_events where agent_id = @agentId", new { agentId }, cancellationToken: ct)) ?? 0;
    }

    /// <summary>Deletes events older than the retention, and provider statuses no reply ever claimed.</summary>
    public async Task<int> PruneAsync(DateTimeOffset eventsBefore, DateTimeOffset statusesBefore, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return await connection.ExecuteAsync(new CommandDefinition(
            """
            delete from gateway_agent_events where created_at < @eventsBefore;
            delete from gateway_pending_statuses where received_at < @statusesBefore;
            """, new { eventsBefore = eventsBefore.UtcDateTime, statusesBefore = statusesBefore.UtcDateTime }, cancellationToken: ct));
    }
}
