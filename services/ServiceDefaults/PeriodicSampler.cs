using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Routing.ServiceDefaults;

/// <summary>
/// Reads something for a metric every <paramref name="interval"/>, apart from the work it describes (a backlog is most worth
/// seeing when that work stalls). A database that does not answer skips a reading: its own health check says so, and the
/// last reading stays until the next one.
/// </summary>
public abstract class PeriodicSampler(TimeSpan interval, TimeProvider time, ILogger logger) : BackgroundService
{
    protected TimeProvider Time { get; } = time;

    /// <summary>One reading (the loop calls it; a test can too).</summary>
    public abstract Task SampleAsync(CancellationToken ct);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await SampleAsync(stoppingToken);
                await Task.Delay(interval, Time, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
            {
                logger.LogDebug(ex, "{Sampler} skipped a reading", GetType().Name);
                try
                {
                    await Task.Delay(interval, Time, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }
}
