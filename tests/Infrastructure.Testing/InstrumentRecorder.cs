using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Routing.Testing;

/// <summary>
/// What one service's instruments record while a test runs: the meters named, created by that service's own
/// <see cref="IMeterFactory"/> (another instance of the service in the same test process has its own and is not heard).
/// </summary>
public sealed class InstrumentRecorder : IDisposable
{
    private readonly ConcurrentQueue<Measured> _measured = new();
    private readonly MeterListener _listener;

    public InstrumentRecorder(IMeterFactory factory, params string[] meters)
    {
        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (ReferenceEquals(instrument.Meter.Scope, factory) && meters.Contains(instrument.Meter.Name))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        _listener.SetMeasurementEventCallback<double>((i, value, tags, _) => Record(i, value, tags));
        _listener.SetMeasurementEventCallback<long>((i, value, tags, _) => Record(i, value, tags));
        _listener.SetMeasurementEventCallback<int>((i, value, tags, _) => Record(i, value, tags));
        _listener.Start();
    }

    /// <summary>One measurement: the instrument's name, the value, and its attributes.</summary>
    public sealed record Measured(string Instrument, double Value, IReadOnlyDictionary<string, object?> Tags);

    public IReadOnlyList<Measured> All => [.. _measured];

    /// <summary>The measurements of <paramref name="instrument"/>.</summary>
    public IReadOnlyList<Measured> Of(string instrument) => [.. _measured.Where(m => m.Instrument == instrument)];

    /// <summary>Asks the observable instruments (gauges) for their values now.</summary>
    public void Observe() => _listener.RecordObservableInstruments();

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags) =>
        _measured.Enqueue(new Measured(instrument.Name, value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value)));

    public void Dispose() => _listener.Dispose();
}
