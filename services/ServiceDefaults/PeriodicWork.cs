using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Routing.ServiceDefaults;

/// <summary>
/// Work a service does every <see cref="Interval"/> on the injected clock (sweeps of timers, of what outlived its retention):
/// a round, then the wait. A failed round is logged as a warning and the work runs again at the next interval; the service
/// stopping ends it.
/// </summary>
public abstract class PeriodicWork(TimeProvider time, ILogger logger) : BackgroundService
{
    protected TimeProvider Time { get; } = time;

    protected ILogger Logger { get; } = logger;

    /// <summary>The wait after each round (read afresh each time, so options can change it).</summary>
    protected abstract TimeSpan Interval { get; }

    /// <summary>One round (the loop calls it; a test can too, through the service's own method).</summary>
    protected abstract Task RunOnceAsync(CancellationToken ct);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                Logger.LogWarning(ex, "{Work} failed; it runs again in {Interval}", GetType().Name, Interval);
            }
            try
            {
                await Task.Delay(Interval, Time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
