namespace Mesh.Dispatch;

/// <summary>Agent link settings (configuration section "Mesh:Dispatch").</summary>
public sealed record DispatchOptions
{
    public const string Section = "Mesh:Dispatch";

    /// <summary>The agent link protocol version this server speaks.</summary>
    public const uint ProtocolVersion = 1;

    /// <summary>A job's lease lasts this long unless a heartbeat extends it.</summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How often agents are asked to send heartbeats.</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Traffic-shaping rules pushed to every agent after its welcome (they only tighten the agent's limits).</summary>
    public List<ShapingRuleOptions> ShapingRules { get; init; } = [];

    /// <summary>How long a new stream may take to send its hello.</summary>
    public TimeSpan HelloTimeout { get; init; } = TimeSpan.FromSeconds(10);
}

/// <summary>One pushed shaping rule; see mesh.agent.v1.ShapingRule.</summary>
public sealed record ShapingRuleOptions
{
    public string MxSuffix { get; init; } = string.Empty;

    public uint MessagesPerMinute { get; init; }

    public uint MaxConnections { get; init; }

    public uint SuspendSeconds { get; init; }
}
