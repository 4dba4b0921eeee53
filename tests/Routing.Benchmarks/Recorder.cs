using System.Collections.Concurrent;
using System.Diagnostics;

namespace Routing.Benchmarks;

/// <summary>Publish times by message id, and the latency of each event that answers one.</summary>
internal sealed class Recorder
{
    private readonly ConcurrentDictionary<Guid, long> _published = new();
    private readonly ConcurrentBag<double> _routedMs = new();
    private readonly ConcurrentBag<double> _assignedMs = new();
    private int _routed;
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Expected { get; set; }

    public void Published(Guid messageId) => _published[messageId] = Stopwatch.GetTimestamp();

    public void Routed(Guid messageId)
    {
        if (_published.TryGetValue(messageId, out var at))
        {
            _routedMs.Add(Stopwatch.GetElapsedTime(at).TotalMilliseconds);
        }
        if (Interlocked.Increment(ref _routed) == Expected)
        {
            _done.TrySetResult();
        }
    }

    public void Assigned(Guid firstMessageId)
    {
        if (_published.TryGetValue(firstMessageId, out var at))
        {
            _assignedMs.Add(Stopwatch.GetElapsedTime(at).TotalMilliseconds);
        }
    }

    public Task Done => _done.Task;

    public int RoutedCount => Volatile.Read(ref _routed);

    public (double P50, double P99) RoutedLatency => Percentiles(_routedMs);

    public (double P50, double P99) AssignedLatency => Percentiles(_assignedMs);

    public int AssignedCount => _assignedMs.Count;

    private static (double, double) Percentiles(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
        {
            return (double.NaN, double.NaN);
        }
        return (sorted[(int)(0.50 * (sorted.Length - 1))], sorted[(int)(0.99 * (sorted.Length - 1))]);
    }
}
