using Dapper;
using Npgsql;
using Routing.Observability;
using Routing.ServiceDefaults;

namespace Routing.Outbox;

/// <summary>
/// The outbox's backlog for the metrics (routing.outbox.pending, routing.outbox.oldest_age), read every 15 s apart from
/// the dispatcher: when the broker is down the dispatcher is the thing that stalls, and the backlog is what shows it.
/// </summary>
internal sealed class OutboxBacklogSampler(NpgsqlDataSource dataSource, RoutingMetrics metrics, TimeProvider time, ILogger<OutboxBacklogSampler> logger)
    : PeriodicSampler(TimeSpan.FromSeconds(15), time, logger)
{
    public override async Task SampleAsync(CancellationToken ct)
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
