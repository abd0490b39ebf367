using System.Collections.Concurrent;

namespace Mesh.Dispatch;

/// <summary>The state of one agent stream: its credit and the jobs it holds.</summary>
public sealed class AgentSession(string tenant, string agentId)
{
    private readonly SemaphoreSlim _signal = new(0);
    private volatile int _credit;
    private volatile bool _draining;

    public string Tenant { get; } = tenant;

    public string AgentId { get; } = agentId;

    /// <summary>Jobs leased to this agent: delivery id to attempt.</summary>
    public ConcurrentDictionary<string, uint> InFlight { get; } = new();

    /// <summary>Results and hand-backs recorded and not yet acknowledged to the agent.</summary>
    public ConcurrentQueue<Agent.V1.JobRef> Acks { get; } = new();

    /// <summary>True when the agent may take one more job.</summary>
    public bool HasCredit => !_draining && InFlight.Count < _credit;

    public void SetCredit(uint credit)
    {
        _credit = (int)Math.Min(credit, int.MaxValue);
        Wake();
    }

    public void Drain()
    {
        _draining = true;
        Wake();
    }

    public void Wake()
    {
        if (_signal.CurrentCount == 0)
        {
            _signal.Release();
        }
    }

    // pub/sub is best-effort across store reconnects, so a session also looks again after a while.
    public Task WaitAsync(CancellationToken ct) => _signal.WaitAsync(TimeSpan.FromSeconds(5), ct);
}
