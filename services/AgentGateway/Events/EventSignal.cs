using System.Collections.Concurrent;
using Npgsql;

namespace Routing.AgentGateway.Events;

/// <summary>
/// Wakes the event streams of an agent when any replica wrote an event for it: LISTEN on a connection of its own,
/// reconnecting with a delay when it drops. Streams also look on their own every keep-alive interval, so a lost
/// notification delays an event, never loses it.
/// </summary>
internal sealed class EventSignal(NpgsqlDataSource db, ILogger<EventSignal> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _waiting = new(StringComparer.Ordinal);

    /// <summary>A task that completes at the agent's next event; take it before looking, so an event written in between is not missed.</summary>
    public Task NextAsync(string agentId) =>
        _waiting.GetOrAdd(agentId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    private void Wake(string agentId)
    {
        if (_waiting.TryRemove(agentId, out var waiting))
        {
            waiting.TrySetResult();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await db.OpenConnectionAsync(stoppingToken);
                connection.Notification += (_, e) => Wake(e.Payload);
                await using (var listen = new NpgsqlCommand($"listen {AgentEvents.NotifyChannel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }
                // Whatever was written while not listening: every stream looks again.
                foreach (var agent in _waiting.Keys)
                {
                    Wake(agent);
                }
                while (!stoppingToken.IsCancellationRequested)
                {
                    await connection.WaitAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Listening for agents' events failed; event streams fall back to polling until it reconnects");
                await Task.Delay(TimeSpan.FromSeconds(2), stoppingToken);
            }
        }
    }
}
