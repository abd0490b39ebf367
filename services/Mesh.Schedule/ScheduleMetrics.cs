using System.Diagnostics.Metrics;

namespace Mesh.Schedule;

/// <summary>Schedule metrics on the shared "Mesh" meter: outcomes and time from Send to outcome.</summary>
public sealed class ScheduleMetrics
{
    private readonly Counter<long> _outcomes;
    private readonly Histogram<double> _latency;

    public ScheduleMetrics(IMeterFactory meters)
    {
        var meter = meters.Create("Mesh");
        _outcomes = meter.CreateCounter<long>("mesh.deliveries", description: "Delivery attempts recorded, by outcome");
        _latency = meter.CreateHistogram<double>("mesh.delivery.duration", unit: "s", description: "Time from Send to a final outcome");
    }

    public void Recorded(string state, DateTimeOffset? createdAt, DateTimeOffset now, bool final)
    {
        _outcomes.Add(1, new KeyValuePair<string, object?>("outcome", state));
        if (final && createdAt is { } created)
        {
            _latency.Record((now - created).TotalSeconds, new KeyValuePair<string, object?>("outcome", state));
        }
    }
}
