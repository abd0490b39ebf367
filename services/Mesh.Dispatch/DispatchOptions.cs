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

    /// <summary>How long a new stream may take to send its hello.</summary>
    public TimeSpan HelloTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
