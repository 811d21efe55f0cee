using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Oms.Grains;

namespace Oms.Cluster.Tests.Durability;

/// <summary>The values one of the product's instruments records while this lives (the suite runs one test at a time).</summary>
public sealed class OmsMeasurements<T> : IDisposable where T : struct
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<T> _values = new();

    public OmsMeasurements(string instrumentName)
    {
        _listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == OmsGrainMetrics.MeterName && instrument.Name == instrumentName) l.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<T>((_, value, _, _) => _values.Enqueue(value));
        _listener.Start();
    }

    public IReadOnlyCollection<T> Values => _values;

    public T Last => _values.Last();

    public void Clear() => _values.Clear();

    public void Dispose() => _listener.Dispose();
}
