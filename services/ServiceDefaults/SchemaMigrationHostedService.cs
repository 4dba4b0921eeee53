using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Polly;
using Polly.Retry;

namespace Routing.ServiceDefaults;

/// <summary>
/// Applies a service's migrations on start, before anything registered after it (register it before the bus,
/// so nothing is consumed before the schema exists). PostgreSQL may come up after the pod does, so connecting is
/// retried for a while before the start fails. Where a migration Job applies them, <c>migrateOnStart</c> is false.
/// </summary>
public sealed class SchemaMigrationHostedService<TMigrations>(TMigrations migrations, Func<bool> migrateOnStart, ILogger<TMigrations> logger) : IHostedService
    where TMigrations : SchemaMigrations
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
        if (!migrateOnStart())
        {
            logger.LogInformation("Migrations are left to the migration job (MigrateOnStart is false)");
            return;
        }
        await Startup.ExecuteAsync(async ct => await migrations.ApplyAsync(ct), cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

public static class SchemaMigrationExtensions
{
    /// <summary>The service's migrations as a singleton, applied on start when <paramref name="migrateOnStart"/> says so.</summary>
    public static IServiceCollection AddSchemaMigrations<TMigrations>(this IServiceCollection services, Func<IServiceProvider, bool> migrateOnStart)
        where TMigrations : SchemaMigrations
    {
        services.AddSingleton<TMigrations>();
        services.AddHostedService(sp => new SchemaMigrationHostedService<TMigrations>(sp.GetRequiredService<TMigrations>(),
            () => migrateOnStart(sp), sp.GetRequiredService<ILogger<TMigrations>>()));
        return services;
    }
}
