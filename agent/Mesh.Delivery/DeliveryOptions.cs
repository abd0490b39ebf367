namespace Mesh.Delivery;

/// <summary>How the delivery engine sends (configuration section "Agent:Delivery" in the agent).</summary>
public sealed record DeliveryOptions
{
    /// <summary>The local address SMTP connections are made from (the customer's IP). Empty lets the OS choose.</summary>
    public string? SourceAddress { get; init; }

    /// <summary>The name sent in EHLO; it should resolve to, and be the PTR of, the source address.</summary>
    public string EhloName { get; init; } = System.Net.Dns.GetHostName();

    /// <summary>Domain to "host:port" routes that bypass MX lookup (smarthosts, tests).</summary>
    public Dictionary<string, string> StaticRoutes { get; init; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Allow destinations in private, loopback, link-local or metadata ranges. Off by default: a
    /// compromised provider must not be able to aim the agent at the customer's own network.
    /// </summary>
    public bool AllowPrivateDestinations { get; init; }

    /// <summary>The agent's own TLS policy: true requires STARTTLS for every job, whatever the provider asks.</summary>
    public bool RequireTls { get; init; }

    /// <summary>Port used for MX hosts.</summary>
    public int SmtpPort { get; init; } = 25;

    /// <summary>RFC 5321 §4.5.3.2: the greeting, MAIL, RCPT and DATA replies (5 minutes).</summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>RFC 5321 §4.5.3.2: each write of message data (3 minutes).</summary>
    public TimeSpan DataBlockTimeout { get; init; } = TimeSpan.FromMinutes(3);

    /// <summary>RFC 5321 §4.5.3.2: the reply to the final dot (10 minutes; the receiver may be scanning).</summary>
    public TimeSpan DataTerminationTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>TCP connect timeout per MX address.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Connections open at once to one destination (MX address); more jobs wait for one.</summary>
    public int MaxConnectionsPerDestination { get; init; } = 10;

    /// <summary>Relay everything through the customer's relay instead of MX delivery.</summary>
    public SmarthostOptions Smarthost { get; init; } = new();

    /// <summary>MTA-STS (RFC 8461) lookups and enforcement.</summary>
    public MtaStsOptions MtaSts { get; init; } = new();

    /// <summary>Pacing per destination site (MX rollup).</summary>
    public ShapingOptions Shaping { get; init; } = new();

    /// <summary>Idle connections kept per destination for reuse.</summary>
    public int MaxIdlePerDestination { get; init; } = 8;

    /// <summary>Idle connections older than this are closed rather than reused.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>DNS servers ("ip" or "ip:port"); empty uses the system resolver.</summary>
    public List<string> NameServers { get; init; } = [];
}
