namespace Mesh.Agent;

/// <summary>The agent's link to dispatch (configuration section "Agent").</summary>
public sealed record AgentOptions
{
    public const string Section = "Agent";

    /// <summary>The dispatch URL the agent dials, e.g. https://dispatch.mesh.example:443.</summary>
    public Uri? DispatchUrl { get; init; }

    /// <summary>The tenant's agent token.</summary>
    public string? Token { get; init; }

    /// <summary>A stable id for this agent instance.</summary>
    public string AgentId { get; init; } = Environment.MachineName;

    /// <summary>Jobs in flight at once (the credit given to dispatch).</summary>
    public uint Credits { get; init; } = 16;

    /// <summary>On shutdown, how long jobs in flight may run before the rest are handed back.</summary>
    public TimeSpan DrainGrace { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Reconnect backoff (gRPC connection-backoff defaults: 1 s, x1.6, 120 s, jitter 0.2).</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(120);

    public IEnumerable<string> Validate()
    {
        if (DispatchUrl is null)
        {
            yield return "Agent:DispatchUrl is required";
        }

        if (string.IsNullOrWhiteSpace(Token))
        {
            yield return "Agent:Token is required";
        }

        if (Credits == 0)
        {
            yield return "Agent:Credits must be at least 1";
        }
    }
}
