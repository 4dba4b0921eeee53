using Routing.AgentGateway.Events;
using Routing.ServiceDefaults;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace Routing.AgentGateway.Delivery;

/// <summary>
/// Sends due deliveries into agents' tools, on every replica: claims a batch (SKIP LOCKED, a lease ahead), hands
/// each to the sender of its target's kind (webhook, Slack, email) and records the outcome. A target that is gone or
/// refused is disabled and what was pending for it abandoned. Anything else is tried again after an exponential,
/// jittered delay (the tool's Retry-After when it asks for longer) until Gateway:Delivery:MaxAttempts, then it is
/// exhausted: listed by the admin API, and replayable.
/// </summary>
internal sealed class DeliveryDispatcher(DeliveryStore store, TargetStore targets, EventSignal signal, IEnumerable<IDeliverySender> senders, IOptions<DeliveryOptions> options,
    TimeProvider time, DeliveryMetrics metrics, ILogger<DeliveryDispatcher> logger) : BackgroundService
{
    private readonly Dictionary<string, IDeliverySender> _senders = senders.ToDictionary(s => s.Kind);
    private readonly ConcurrentQueue<(Guid Id, int Status)> _delivered = new();
    private readonly SemaphoreSlim _recording = new(1, 1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var config = options.Value;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // Taken before claiming: a delivery queued while this round runs wakes the next one at once.
                var queued = signal.AnyAsync();
                var due = await store.ClaimDueAsync(config.BatchSize, config.Lease, time.GetUtcNow(), stoppingToken);
                await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = stoppingToken },
                    async (delivery, ct) => await AttemptAsync(delivery, config, ct));
                if (due.Count < config.BatchSize)
                {
                    await Task.WhenAny(queued, Task.Delay(config.PollInterval, time, stoppingToken));
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Delivery round failed; trying again shortly");
                await Task.Delay(config.PollInterval, time, stoppingToken);
            }
        }
    }

    internal async Task AttemptAsync(ClaimedDelivery delivery, DeliveryOptions config, CancellationToken ct)
    {
        // each attempt is a span of the routing event's trace; the webhook's request carries it on to the tool (traceparent)
        using var span = GatewayTracing.Source.StartFrom("deliver " + delivery.EventType, delivery.TraceParent);
        span?.SetTag("gateway.delivery.id", delivery.Id);
        span?.SetTag("gateway.delivery.attempt", delivery.Attempts);
        span?.SetTag(TelemetryAttributes.TargetKind, delivery.Kind);
        span?.SetTag("gateway.agent.id", delivery.AgentId);
        DeliveryOutcome outcome;
        try
        {
            outcome = _senders.TryGetValue(delivery.Kind, out var sender)
                ? await sender.SendAsync(delivery, ct)
                : new DeliveryOutcome.Retry(null, $"no sender for {delivery.Kind} targets is configured in this gateway");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // Whatever went wrong (a tool's unreadable answer, an event this sender cannot read), the delivery is
            // tried again and, failing that, exhausted and listed: one bad delivery never stalls the others.
            outcome = new DeliveryOutcome.Retry(null, $"{ex.GetType().Name}: {ex.Message}");
        }

        span?.SetTag(TelemetryAttributes.DeliveryOutcome, outcome switch
        {
            DeliveryOutcome.Delivered => "delivered",
            DeliveryOutcome.Disable => "disabled",
            _ => "retry",
        });
        if (outcome is not DeliveryOutcome.Delivered)
        {
            span?.SetStatus(ActivityStatusCode.Error);
        }
        switch (outcome)
        {
            case DeliveryOutcome.Delivered delivered:
                await RecordDeliveredAsync(delivery.Id, delivered.Status ?? 0, ct);
                metrics.Attempt(delivery.Kind, "delivered");
                metrics.Delivered(delivery, time.GetUtcNow());
                break;
            case DeliveryOutcome.Disable disable:
                await targets.DisableTargetAsync(delivery.TargetId, disable.Status, disable.Reason, time.GetUtcNow(), ct);
                metrics.Attempt(delivery.Kind, "disabled");
                logger.LogWarning("{Kind} target {TargetId} disabled: {Reason}", delivery.Kind, delivery.TargetId, disable.Reason);
                break;
            case DeliveryOutcome.Retry retry:
                var retryAt = delivery.Attempts >= config.MaxAttempts ? (DateTimeOffset?)null : time.GetUtcNow() + Delay(delivery.Attempts, retry.After, config);
                await store.FailedAsync(delivery.Id, retry.Status, retry.Error, retryAt, ct);
                metrics.Attempt(delivery.Kind, retryAt is null ? "exhausted" : "retry");
                if (retryAt is null)
                {
                    logger.LogWarning("Delivery {DeliveryId} to {Kind} target {TargetId} exhausted after {Attempts} attempts: {Error}", delivery.Id,
                        delivery.Kind, delivery.TargetId, delivery.Attempts, retry.Error);
                }
                break;
        }
    }

    /// <summary>
    /// Records a delivery the tool accepted, with whichever others were accepted meanwhile (a group commit): one
    /// statement for a wave of attempts instead of one each. When the statement fails, the deliveries stay leased and
    /// are sent again after the lease (the same webhook-id), as after a crash.
    /// </summary>
    private async Task RecordDeliveredAsync(Guid id, int status, CancellationToken ct)
    {
        _delivered.Enqueue((id, status));
        await _recording.WaitAsync(ct);
        try
        {
            var batch = new List<(Guid Id, int Status)>();
            while (_delivered.TryDequeue(out var next))
            {
                batch.Add(next);
            }
            if (batch.Count > 0)
            {
                await store.DeliveredAsync(batch, time.GetUtcNow(), ct);
            }
        }
        finally
        {
            _recording.Release();
        }
    }

    /// <summary>FirstDelay × 2^(attempts−1), capped at MaxDelay, with jitter (between half and all of it); a longer Retry-After wins.</summary>
    internal static TimeSpan Delay(int attempts, TimeSpan? retryAfter, DeliveryOptions config)
    {
        var exponential = config.FirstDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempts - 1, 30));
        var capped = Math.Min(exponential, config.MaxDelay.TotalMilliseconds);
        var jittered = TimeSpan.FromMilliseconds(capped / 2 + RandomNumberGenerator.GetInt32(0, (int)Math.Min(int.MaxValue, capped / 2) + 1));
        return retryAfter is { } wait && wait > jittered ? wait : jittered;
    }
}
