using Routing.ServiceDefaults;
using Dapper;
using Microsoft.Extensions.Options;
using Routing.Database;

namespace Routing.Retention;

/// <summary>
/// Every Routing:Retention:Interval, one replica at a time (a session advisory lock; the others skip that round), removes
/// what has outlived its kind's retention (<see cref="RetentionOptions"/>), in short batches (<see cref="RetentionStore"/>).
/// A kind set to 0 is kept. A failure is logged and the sweep runs again at the next interval; nothing it does is urgent.
/// </summary>
internal sealed class RetentionSweeper(RoutingDb db, IOptions<RetentionOptions> options, TimeProvider time, ILogger<RetentionSweeper> logger)
    : PeriodicWork(time, logger)
{
    /// <summary>The advisory lock's key: "retentio" in ASCII.</summary>
    private const long LockKey = 0x726574656E74696F;

    protected override TimeSpan Interval => options.Value.Interval;

    protected override Task RunOnceAsync(CancellationToken ct) => SweepOnceAsync(ct);

    /// <summary>One sweep of every kind; the rows each changed (nothing when another replica is sweeping).</summary>
    public async Task<IReadOnlyDictionary<string, int>> SweepOnceAsync(CancellationToken ct)
    {
        var swept = new SortedDictionary<string, int>(StringComparer.Ordinal);
        await using var connection = await db.DataSource.OpenConnectionAsync(ct);
        if (!await connection.ExecuteScalarAsync<bool>(new CommandDefinition("select pg_try_advisory_lock(@key)", new { key = LockKey }, cancellationToken: ct)))
        {
            return swept;
        }
        try
        {
            var now = Time.GetUtcNow();
            foreach (var (kind, retention) in Kinds(options.Value))
            {
                if (retention <= TimeSpan.Zero)
                {
                    continue;
                }
                int rows;
                var total = 0;
                do
                {
                    rows = await RetentionStore.SweepAsync(connection, kind, now - retention, ct);
                    total += rows;
                }
                while (rows >= RetentionStore.Batch);
                swept[kind] = total;
            }
        }
        finally
        {
            await connection.ExecuteAsync(new CommandDefinition("select pg_advisory_unlock(@key)", new { key = LockKey }, cancellationToken: CancellationToken.None));
        }
        if (swept.Values.Any(n => n > 0))
        {
            Logger.LogInformation("Retention removed {Swept}", string.Join(", ", swept.Where(s => s.Value > 0).Select(s => $"{s.Key}: {s.Value}")));
        }
        return swept;
    }

    private static IEnumerable<(string Kind, TimeSpan Retention)> Kinds(RetentionOptions o) =>
    [
        ("messages", o.Messages),
        ("receipts", o.Receipts),
        ("presence_changes", o.PresenceChanges),
        ("outbox_quarantine", o.Quarantine),
        ("unclaimed_profiles", o.UnclaimedProfiles),
    ];
}
