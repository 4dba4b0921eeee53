using Microsoft.Extensions.Options;

namespace Routing.AgentGateway.Events;

/// <summary>Hourly, on every replica (the deletes are idempotent): events past Gateway:EventRetention, and provider statuses no reply claimed within a day.</summary>
internal sealed class EventHousekeeping(EventStore events, IOptions<GatewayOptions> options, TimeProvider time, ILogger<EventHousekeeping> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromHours(1), time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                var now = time.GetUtcNow();
                await events.PruneAsync(now - options.Value.EventRetention, now - TimeSpan.FromDays(1), stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "Pruning old agent events failed; trying again in an hour");
            }
        }
    }
}
