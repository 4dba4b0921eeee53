using Microsoft.Extensions.Options;
using Routing.Contracts;
using System.Threading.Channels;

namespace Routing.Inbound;

/// <summary>
/// Gathers the inbound messages being consumed at once into batches, each routed in one transaction
/// (group commit). A consumer waits for its own message's outcome, so a message is acknowledged to
/// the broker only once its batch committed. When a batch fails, each of its messages is routed again
/// on its own: one bad or unlucky message fails alone, through its own consumer, retry policy and
/// error queue, and never takes the others with it.
/// </summary>
internal sealed class InboundBatcher(InboundRouter router, IOptions<RoutingOptions> options, ILogger<InboundBatcher> logger) : IAsyncDisposable
{
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private Task[]? _workers;

    /// <summary>Validates the message (throwing <see cref="Messaging.InvalidMessageException"/> at once), then routes it with whatever else is waiting.</summary>
    public Task<InboundOutcome> RouteAsync(InboundMessageReceived message, CancellationToken ct)
    {
        var pending = new Pending(InboundItem.From(message, options.Value.Identity), new TaskCompletionSource<InboundOutcome>(TaskCreationOptions.RunContinuationsAsynchronously));
        EnsureStarted();
        if (!_queue.Writer.TryWrite(pending))
        {
            throw new OperationCanceledException("Routing is stopping; the message stays on the queue.");
        }
        return pending.Outcome.Task.WaitAsync(ct);
    }

    private void EnsureStarted()
    {
        if (_workers is not null)
        {
            return;
        }
        lock (_gate)
        {
            _workers ??= Enumerable.Range(0, options.Value.Inbound.Workers).Select(_ => Task.Run(RunAsync)).ToArray();
        }
    }

    private async Task RunAsync()
    {
        var max = options.Value.Inbound.MaxBatch;
        var batch = new List<Pending>(max);
        while (await _queue.Reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < max && _queue.Reader.TryRead(out var pending))
            {
                batch.Add(pending);
            }
            if (batch.Count > 0)
            {
                await RouteBatchAsync(batch);
            }
        }
    }

    private async Task RouteBatchAsync(List<Pending> batch)
    {
        try
        {
            var outcomes = await router.RouteBatchAsync(batch.Select(p => p.Item).ToList(), _stopping.Token);
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Outcome.TrySetResult(outcomes[i]);
            }
            return;
        }
        catch (Exception ex) when (batch.Count > 1)
        {
            logger.LogInformation(ex, "A batch of {Count} inbound messages failed; routing each of them on its own", batch.Count);
        }
        catch (Exception ex)
        {
            batch[0].Outcome.TrySetException(ex);
            return;
        }

        foreach (var pending in batch)
        {
            try
            {
                pending.Outcome.TrySetResult((await router.RouteBatchAsync([pending.Item], _stopping.Token))[0]);
            }
            catch (Exception ex)
            {
                pending.Outcome.TrySetException(ex);
            }
        }
    }

    /// <summary>
    /// Runs after the bus stopped (the container disposes singletons after the hosted services stop):
    /// nothing new arrives, and what is still queued belongs to consumers that gave up, so their
    /// messages are redelivered; it is cancelled rather than routed.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _stopping.CancelAsync();
        if (_workers is not null)
        {
            try
            {
                await Task.WhenAll(_workers);
            }
            catch (Exception ex)
            {
                logger.LogDebug(ex, "Inbound batch workers stopped with an error");
            }
        }
        _stopping.Dispose();
    }

    private sealed record Pending(InboundItem Item, TaskCompletionSource<InboundOutcome> Outcome);
}
