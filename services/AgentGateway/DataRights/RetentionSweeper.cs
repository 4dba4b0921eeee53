using Routing.ServiceDefaults;
using Dapper;
using Microsoft.Extensions.Options;
using Routing.AgentGateway.Attachments;
using Routing.AgentGateway.Database;

namespace Routing.AgentGateway.DataRights;

/// <summary>
/// Every Gateway:Retention:Interval, on every replica (each batch takes its conversations with SKIP LOCKED, the deletes are
/// idempotent): the copies of conversations closed longer ago than Gateway:Retention:Conversations are emptied as an
/// erasure empties them (<see cref="ConversationErasure"/>), and deliveries done longer ago than Gateway:Retention:Deliveries
/// are deleted. A failure is logged and the sweep runs again at the next interval.
/// </summary>
internal sealed class RetentionSweeper(GatewayDb db, IAttachmentContent content, IOptions<RetentionOptions> options, TimeProvider time,
    ILogger<RetentionSweeper> logger) : PeriodicWork(time, logger)
{
    private const int Batch = 200;

    protected override TimeSpan Interval => options.Value.Interval;

    protected override Task RunOnceAsync(CancellationToken ct) => SweepOnceAsync(ct);

    /// <summary>One sweep: how many conversations it emptied and deliveries it deleted.</summary>
    public async Task<(int Conversations, int Deliveries)> SweepOnceAsync(CancellationToken ct)
    {
        var config = options.Value;
        var now = Time.GetUtcNow();
        var conversations = 0;
        var deliveries = 0;
        if (config.Conversations > TimeSpan.Zero)
        {
            while (true)
            {
                await using var tx = await db.BeginAsync(ct);
                var expired = (await tx.Connection.QueryAsync<Guid>(new CommandDefinition(
                    """
                    select id from gateway_conversations where status = 'closed' and expired_at is null and closed_at < @cutoff
                    order by closed_at limit @batch for update skip locked
                    """, new { cutoff = now - config.Conversations, batch = Batch }, tx.Transaction, cancellationToken: ct))).ToList();
                if (expired.Count == 0)
                {
                    break;
                }
                var files = await ConversationErasure.EraseAsync(tx, expired, [], ct);
                await tx.Connection.ExecuteAsync(new CommandDefinition("update gateway_conversations set expired_at = @now where id = any(@expired)",
                    new { now, expired = expired.ToArray() }, tx.Transaction, cancellationToken: ct));
                await tx.CommitAsync(ct);
                await ConversationErasure.DeleteFilesAsync(content, files, ct);
                conversations += expired.Count;
            }
        }
        if (config.Deliveries > TimeSpan.Zero)
        {
            int rows;
            do
            {
                await using var tx = await db.BeginAsync(ct);
                rows = await tx.Connection.ExecuteAsync(new CommandDefinition(
                    "delete from gateway_deliveries where ctid in (select ctid from gateway_deliveries where status <> 'pending' and created_at < @cutoff limit 2000)",
                    new { cutoff = now - config.Deliveries }, tx.Transaction, cancellationToken: ct));
                await tx.CommitAsync(ct);
                deliveries += rows;
            }
            while (rows >= 2000);
        }
        if (conversations > 0 || deliveries > 0)
        {
            Logger.LogInformation("Retention emptied {Conversations} closed conversations' copies and deleted {Deliveries} deliveries", conversations, deliveries);
        }
        return (conversations, deliveries);
    }
}
