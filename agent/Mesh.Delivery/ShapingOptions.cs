namespace Mesh.Delivery;

/// <summary>
/// Traffic shaping per destination site, from this agent's source IP (configuration
/// "Agent:Delivery:Shaping"). A site is the MX rollup: domains whose MX hosts are the same set.
/// </summary>
public sealed record ShapingOptions
{
    /// <summary>Messages per minute to one site; 0 means no limit.</summary>
    public int MessagesPerMinute { get; init; }

    /// <summary>How long a site is left alone after it answers 421 or a matching reply.</summary>
    public TimeSpan SuspendFor { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Reply patterns (regular expressions) that also suspend a site, e.g. "(?i)too many connections".</summary>
    public List<string> SuspendOnReplies { get; init; } = ["(?i)too many (connections|messages)", "(?i)rate limit"];
}
