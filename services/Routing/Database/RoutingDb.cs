using Npgsql;
using Routing.Outbox;

namespace Routing.Database;

/// <summary>Opens the one kind of transaction routing changes state in: state, receipts and outgoing events commit together.</summary>
internal sealed class RoutingDb(NpgsqlDataSource dataSource, TimeProvider time, OutboxSignal signal)
{
    static RoutingDb()
    {
        // snake_case columns map onto PascalCase properties everywhere routing reads rows.
        Dapper.DefaultTypeMap.MatchNamesWithUnderscores = true;
    }

    public NpgsqlDataSource DataSource => dataSource;

    public DateTimeOffset Now => time.GetUtcNow();

    public async Task<RoutingTransaction> BeginAsync(CancellationToken ct)
    {
        var connection = await dataSource.OpenConnectionAsync(ct);
        try
        {
            var tx = await connection.BeginTransactionAsync(ct);
            return new RoutingTransaction(connection, tx, time.GetUtcNow(), signal);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }
}
