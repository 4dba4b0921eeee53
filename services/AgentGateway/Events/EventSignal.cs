using System.Collections.Concurrent;
using System.Threading.Channels;
using Dapper;
using Npgsql;
using Routing.ServiceDefaults;

namespace Routing.AgentGateway.Events;

/// <summary>
/// Wakes the event streams of an agent when any replica wrote an event for it: LISTEN on a connection of its own,
/// reconnecting with a delay when it drops. Streams also look on their own every keep-alive interval, so a lost
/// notification delays an event, never loses it. The delivery dispatcher waits on any agent's event the same way.
/// </summary>
internal sealed class EventSignal(NpgsqlDataSource db, TimeProvider time, ILogger<EventSignal> logger) : BackgroundService
{
    private TaskCompletionSource _any = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _waiting = new(StringComparer.Ordinal);
    private readonly Channel<string> _announce = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>
    /// Events for these agents were committed: wakes this replica's streams and deliveries at once, and tells the
    /// other replicas with NOTIFY, many agents to one statement, outside the transactions that wrote them.
    /// </summary>
    public void Announce(IEnumerable<string> agentIds)
    {
        foreach (var agentId in agentIds)
        {
            Wake(agentId);
            _announce.Writer.TryWrite(agentId);
        }
    }

    private async Task NotifyOthersAsync(CancellationToken stoppingToken)
    {
        var batch = new HashSet<string>(StringComparer.Ordinal);
        while (await _announce.Reader.WaitToReadAsync(stoppingToken))
        {
            while (batch.Count < 1000 && _announce.Reader.TryRead(out var agentId))
            {
                batch.Add(agentId);
            }
            try
            {
                await using var connection = await db.OpenConnectionAsync(stoppingToken);
                await connection.ExecuteAsync(new CommandDefinition("select pg_notify(@channel, a) from unnest(@agents) a",
                    new { channel = AgentEventLog.NotifyChannel, agents = batch.ToArray() }, cancellationToken: stoppingToken));
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The other replicas' streams and dispatchers find the events at their next poll.
                logger.LogWarning(ex, "Announcing agents' events to the other replicas failed");
            }
            batch.Clear();
        }
    }

    /// <summary>A task that completes at the agent's next event; take it before looking, so an event written in between is not missed.</summary>
    public Task NextAsync(string agentId) =>
        _waiting.GetOrAdd(agentId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    /// <summary>A task that completes when any agent's event was written, or deliveries were queued (<see cref="DeliveriesQueued"/>).</summary>
    public Task AnyAsync() => Volatile.Read(ref _any).Task;

    /// <summary>Deliveries were queued on this replica outside an event (a notice): the dispatcher starts a round at once.</summary>
    public void DeliveriesQueued() =>
        Interlocked.Exchange(ref _any, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    private void Wake(string agentId)
    {
        DeliveriesQueued();
        if (_waiting.TryRemove(agentId, out var waiting))
        {
            waiting.TrySetResult();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var notifying = NotifyOthersAsync(stoppingToken);
        await ListenAsync(stoppingToken);
        try
        {
            await notifying;
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task ListenAsync(CancellationToken stoppingToken)
    {
        var reconnecting = BackgroundRetry.Pipeline(time, _ => TimeSpan.FromSeconds(2), (ex, wait) => logger.LogWarning(ex,
            "Listening for agents' events failed; event streams fall back to polling until it reconnects (in {Wait})", wait));
        try
        {
            await reconnecting.ExecuteAsync(async ct =>
            {
                await using var connection = await db.OpenConnectionAsync(ct);
                connection.Notification += (_, e) => Wake(e.Payload);
                await using (var listen = new NpgsqlCommand($"listen {AgentEventLog.NotifyChannel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(ct);
                }
                // Whatever was written while not listening: every stream looks again.
                foreach (var agent in _waiting.Keys)
                {
                    Wake(agent);
                }
                while (!ct.IsCancellationRequested)
                {
                    await connection.WaitAsync(ct);
                }
            }, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
