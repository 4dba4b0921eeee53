using Dapper;
using Npgsql;
using Routing.Observability;

namespace Routing.Outbox;

/// <summary>
/// The outbox's backlog for the metrics (routing.outbox.pending, routing.outbox.oldest_age), read every 15 s apart from
/// the dispatcher: when the broker is down the dispatcher is the thing that stalls, and the backlog is what shows it.
/// </summary>
internal sealed class OutboxBacklogSampler(NpgsqlDataSource dataSource, RoutingMetrics metrics, TimeProvider time, ILogger<OutboxBacklogSampler> logger)
    : BackgroundService
{
    internal static readonly TimeSpan Interval = TimeSpan.FromSeconds(15);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await SampleAsync(stoppingToken);
                await Task.Delay(Interval, time, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
            {
                // the database is away: its own health check says so; the last sample stays until the next one
                logger.LogDebug(ex, "Outbox backlog not sampled");
                await Task.Delay(Interval, time, stoppingToken);
            }
        }
    }

    internal async Task SampleAsync(CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var (pending, oldest) = await connection.QuerySingleAsync<(long, double)>(new CommandDefinition(
            """
            select (select count(*) from outbox),
                   coalesce(extract(epoch from now() - (select created_at from outbox order by id limit 1)), 0)::float8
            """, cancellationToken: ct));
        metrics.OutboxSample(pending, Math.Max(0, oldest));
    }
}
