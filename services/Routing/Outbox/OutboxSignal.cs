using System.Collections.Concurrent;
using System.Threading.Channels;

namespace Routing.Outbox;

/// <summary>
/// Wakes this replica's dispatcher as soon as a transaction with events commits, and hands it the
/// committed events, so it publishes them without reading their JSON back. Rows of other replicas,
/// and of a process that stopped before publishing, are read from the table by polling.
/// </summary>
internal sealed class OutboxSignal
{
    private static readonly TimeSpan KeepFor = TimeSpan.FromMinutes(5);

    private readonly Channel<bool> _channel = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly ConcurrentDictionary<Guid, (OutboxMessage Message, long At)> _committed = new();
    private long _lastPrune = Environment.TickCount64;

    public void Notify(IReadOnlyList<OutboxMessage> committed)
    {
        var now = Environment.TickCount64;
        foreach (var message in committed)
        {
            _committed[message.Id] = (message, now);
        }
        _channel.Writer.TryWrite(true);
    }

    /// <summary>The committed event with this row's message id, when this process wrote it; taken, so it is handed out once.</summary>
    public OutboxMessage? Take(Guid messageId) =>
        _committed.TryRemove(messageId, out var entry) ? entry.Message : null;

    /// <summary>Forgets events another replica's dispatcher published (their rows are gone, so they are never taken here).</summary>
    public void Prune()
    {
        var now = Environment.TickCount64;
        if (now - Interlocked.Read(ref _lastPrune) < KeepFor.TotalMilliseconds)
        {
            return;
        }
        Interlocked.Exchange(ref _lastPrune, now);
        foreach (var (id, entry) in _committed)
        {
            if (now - entry.At > KeepFor.TotalMilliseconds)
            {
                _committed.TryRemove(id, out _);
            }
        }
    }

    public async Task WaitAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        try
        {
            await _channel.Reader.ReadAsync(cts.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
        }
    }
}
