using System.Diagnostics.Metrics;

namespace Mesh.Dispatch;

/// <summary>Dispatch metrics on the shared "Mesh" meter: agent connections and jobs handed out.</summary>
public sealed class DispatchMetrics
{
    private readonly UpDownCounter<long> _connections;
    private readonly Counter<long> _dispatched;

    public DispatchMetrics(IMeterFactory meters)
    {
        var meter = meters.Create("Mesh");
        _connections = meter.CreateUpDownCounter<long>("mesh.agent.connections", description: "Agent streams open on this replica");
        _dispatched = meter.CreateCounter<long>("mesh.jobs.dispatched", description: "Jobs leased to agents");
    }

    public void AgentConnected() => _connections.Add(1);

    public void AgentDisconnected() => _connections.Add(-1);

    public void Dispatched() => _dispatched.Add(1);
}
