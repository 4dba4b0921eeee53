using Microsoft.Extensions.Options;
using Npgsql;
using Polly;
using Polly.Retry;

namespace Routing.Database;

/// <summary>
/// Applies migrations before the bus starts consuming (it is registered first). PostgreSQL may come
/// up after this pod does, so connecting is retried for a while before the start fails.
/// </summary>
internal sealed class MigrationHostedService(MigrationRunner runner, IOptions<RoutingOptions> options, ILogger<MigrationHostedService> logger) : IHostedService
{
    private static readonly ResiliencePipeline Startup = new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder().Handle<NpgsqlException>().Handle<TimeoutException>(),
            MaxRetryAttempts = 15,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = TimeSpan.FromMilliseconds(200),
            MaxDelay = TimeSpan.FromSeconds(5),
        })
        .Build();

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.MigrateOnStart)
        {
            logger.LogInformation("Migrations are left to the migration job (Routing:MigrateOnStart is false)");
            return;
        }
        await Startup.ExecuteAsync(async ct => await runner.ApplyAsync(ct), cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
