namespace Mesh.Delivery;

/// <summary>MTA-STS (RFC 8461) settings (configuration "Agent:Delivery:MtaSts").</summary>
public sealed record MtaStsOptions
{
    /// <summary>Look up and apply MTA-STS policies.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>Port of the policy host; RFC 8461 §3.3 fixes 443 (tests use another).</summary>
    public int PolicyPort { get; init; } = 443;

    /// <summary>
    /// SHA-256 thumbprints of policy-host certificates to accept besides the system's trust (for a
    /// private test or lab setup). Production leaves it empty: RFC 8461 requires a valid WebPKI certificate.
    /// </summary>
    public List<string> PolicyCertificateThumbprints { get; init; } = [];

    /// <summary>How long a fetched policy may be used at most, whatever its max_age.</summary>
    public TimeSpan MaxCache { get; init; } = TimeSpan.FromDays(7);
}
