using System.Diagnostics.Metrics;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Routing.Observability;
using Routing.Outbox;
using Routing.Testing;

namespace Routing.IntegrationTests.Engine;

/// <summary>
/// routing.outbox.pending and routing.outbox.oldest_age (issue 19): what the outbox-backlog alert watches, read from the
/// outbox table as it is (a broker outage is when rows stay there).
/// </summary>
public sealed class OutboxBacklogMetricsTests : IAsyncLifetime
{
    private TestDatabase _database = null!;

    public async Task InitializeAsync() => _database = await RoutingDatabase.CreateAsync();

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task Should_report_how_many_events_wait_and_how_old_the_oldest_is()
    {
        await using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var factory = services.GetRequiredService<IMeterFactory>();
        var metrics = new RoutingMetrics(factory);
        var sampler = new OutboxBacklogSampler(_database.DataSource, metrics, TimeProvider.System, NullLogger<OutboxBacklogSampler>.Instance);
        // this test's instruments only (the factory's meter), not those of a routing another test runs in this process
        using var recorder = new InstrumentRecorder(factory, RoutingMetrics.MeterName);
        double Last(string name) => recorder.Of(name)[^1].Value;

        recorder.Observe();
        Assert.DoesNotContain(recorder.All, m => m.Instrument.StartsWith("routing.outbox.", StringComparison.Ordinal)); // nothing before the first sample: no false zero
        await sampler.SampleAsync(CancellationToken.None);
        recorder.Observe();
        Assert.Equal(0, Last("routing.outbox.pending"));
        Assert.Equal(0, Last("routing.outbox.oldest_age"));

        await using (var connection = await _database.DataSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync(
                """
                insert into outbox (message_id, message_type, payload, created_at)
                values (gen_random_uuid(), 'x', '{}', now() - interval '120 seconds'), (gen_random_uuid(), 'x', '{}', now() - interval '5 seconds')
                """);
        }
        await sampler.SampleAsync(CancellationToken.None);
        recorder.Observe();

        Assert.Equal(2, Last("routing.outbox.pending"));
        Assert.InRange(Last("routing.outbox.oldest_age"), 119, 180);
    }
}
