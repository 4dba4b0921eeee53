using Dapper;
using MassTransit;
using Npgsql;

namespace Routing.Outbox;

/// <summary>
/// Publishes committed outbox rows. Rows are claimed with FOR UPDATE SKIP LOCKED, so every replica
/// can run one; a row is deleted in the same transaction after the broker confirmed it, so a crash
/// mid-batch republishes (consumers dedupe on the MessageId, which is the row's).
/// </summary>
internal sealed class OutboxDispatcher(
    NpgsqlDataSource dataSource, IBus bus, OutboxSignal signal, ILogger<OutboxDispatcher> logger) : BackgroundService
{
    private const int BatchSize = 200;
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await DispatchBatchAsync(stoppingToken) == BatchSize)
                {
                }
                failures = 0;
                await signal.WaitAsync(PollInterval, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                failures++;
                logger.LogWarning(ex, "Outbox dispatch failed ({Failures} in a row); the rows stay and are retried", failures);
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(5000, 100 * Math.Pow(2, Math.Min(failures, 6)))), stoppingToken);
            }
        }
    }

    internal async Task<int> DispatchBatchAsync(CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var rows = (await connection.QueryAsync<(long Id, Guid MessageId, string MessageType, string Payload)>(new CommandDefinition(
            $"select id, message_id, message_type, payload::text from outbox order by id limit {BatchSize} for update skip locked",
            transaction: tx, cancellationToken: ct))).ToList();
        if (rows.Count == 0)
        {
            return 0;
        }

        await Task.WhenAll(rows.Select(row =>
        {
            var type = ContractTypes.Resolve(row.MessageType);
            var message = System.Text.Json.JsonSerializer.Deserialize(row.Payload, type, ContractTypes.Json)!;
            return bus.Publish(message, type, context => context.MessageId = row.MessageId, ct);
        }));

        await connection.ExecuteAsync(new CommandDefinition(
            "delete from outbox where id = any(@ids)", new { ids = rows.Select(r => r.Id).ToArray() }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return rows.Count;
    }
}
