using Routing.ServiceDefaults;
using Dapper;
using MassTransit;
using Npgsql;
using Routing.Observability;

namespace Routing.Outbox;

/// <summary>
/// Publishes committed outbox rows. Rows are claimed with FOR UPDATE SKIP LOCKED, so every replica
/// can run one; a row is deleted in the same transaction after the broker confirmed it, so a crash
/// mid-batch republishes (consumers dedupe on the MessageId, which is the row's). A row that can never be
/// read back as a contract is moved to outbox_quarantine with the reason, instead of failing every batch.
/// </summary>
internal sealed class OutboxDispatcher(
    NpgsqlDataSource dataSource, IBus bus, OutboxSignal signal, RoutingMetrics metrics, TimeProvider time, ILogger<OutboxDispatcher> logger) : BackgroundService
{
    private const int BatchSize = 200;
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);
    internal static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // A failed round leaves its rows in the outbox; they are tried again after 0.2 s, 0.4 s… up to 5 s.
        var rounds = BackgroundRetry.Pipeline(time, attempt => BackgroundRetry.Doubling(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(5), attempt),
            (ex, wait) => logger.LogWarning(ex, "Outbox dispatch failed; the rows stay and are retried in {Wait}", wait));
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await rounds.ExecuteAsync(async ct =>
                {
                    while (await DispatchBatchAsync(ct) == BatchSize)
                    {
                    }
                    await signal.WaitAsync(PollInterval, ct);
                }, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    internal async Task<int> DispatchBatchAsync(CancellationToken ct)
    {
        signal.Prune();
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var rows = (await connection.QueryAsync<(long Id, Guid MessageId, string MessageType, string? TraceParent)>(new CommandDefinition(
            $"select id, message_id, message_type, trace_parent from outbox order by id limit {BatchSize} for update skip locked",
            transaction: tx, cancellationToken: ct))).ToList();
        if (rows.Count == 0)
        {
            return 0;
        }

        // Events this process committed are published from memory; only the others' JSON is read back.
        var messages = rows.ToDictionary(r => r.Id, r => signal.Take(r.MessageId));
        var unknown = messages.Where(m => m.Value is null).Select(m => m.Key).ToArray();
        if (unknown.Length > 0)
        {
            var payloads = await connection.QueryAsync<(long Id, string Payload)>(new CommandDefinition(
                "select id, payload::text from outbox where id = any(@unknown)", new { unknown }, tx, cancellationToken: ct));
            foreach (var (id, payload) in payloads)
            {
                var row = rows.First(r => r.Id == id);
                if (Read(row.MessageId, row.MessageType, payload, row.TraceParent, out var reason) is { } message)
                {
                    messages[id] = message;
                    continue;
                }
                await QuarantineAsync(connection, tx, id, reason, ct);
                messages.Remove(id);
                logger.LogError("Outbox row {Id} ({MessageType}, message {MessageId}) cannot be published and is quarantined: {Reason}",
                    id, row.MessageType, row.MessageId, reason);
            }
        }

        // A publish caught by a broker crash can wait for a confirm that never comes, even after the bus reconnected (make
        // chaos, broker-kill: 2,803 rows stalled for good). Bounded, it fails, the rows stay, and the batch is published again;
        // consumers recognise a message id they already applied.
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            timeout.CancelAfter(PublishTimeout);
            await Task.WhenAll(messages.Values.Select(m => PublishAsync(m!, timeout.Token)));
        }

        await connection.ExecuteAsync(new CommandDefinition(
            "delete from outbox where id = any(@ids)", new { ids = rows.Select(r => r.Id).ToArray() }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return rows.Count;
    }

    /// <summary>Publishes one event in the trace of the span that wrote it (the broker's headers carry it on to the consumers).</summary>
    private async Task PublishAsync(OutboxMessage message, CancellationToken ct)
    {
        using var span = RoutingTracing.Source.StartFrom("outbox publish", message.TraceParent, System.Diagnostics.ActivityKind.Producer);
        span?.SetTag("messaging.message.id", message.Id);
        span?.SetTag("routing.event.type", message.Type.Name);
        await bus.Publish(message.Message, message.Type, context => context.MessageId = message.Id, ct);
    }

    /// <summary>A row as the contract it names, or null with why it can never be one.</summary>
    private static OutboxMessage? Read(Guid messageId, string messageType, string payload, string? traceParent, out string reason)
    {
        reason = "";
        try
        {
            var type = ContractTypes.Resolve(messageType);
            if (System.Text.Json.JsonSerializer.Deserialize(payload, type, ContractTypes.Json) is { } message)
            {
                return new OutboxMessage(messageId, type, message, payload, traceParent);
            }
            reason = "the payload is null";
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.Text.Json.JsonException or NotSupportedException)
        {
            reason = ex.Message;
        }
        return null;
    }

    private async Task QuarantineAsync(NpgsqlConnection connection, NpgsqlTransaction tx, long id, string reason, CancellationToken ct)
    {
        await connection.ExecuteAsync(new CommandDefinition(
            """
            insert into outbox_quarantine (id, message_id, message_type, payload, created_at, reason, quarantined_at)
            select id, message_id, message_type, payload, created_at, @reason, now() from outbox where id = @id
            """, new { id, reason }, tx, cancellationToken: ct));
        metrics.OutboxQuarantined();
    }
}
