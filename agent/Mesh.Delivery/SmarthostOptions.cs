namespace Mesh.Delivery;

/// <summary>
/// Smarthost mode (configuration "Agent:Delivery:Smarthost"): relay every message through the
/// customer's existing relay instead of MX delivery, always over STARTTLS, with AUTH when
/// credentials are given.
/// </summary>
public sealed record SmarthostOptions
{
    /// <summary>The relay's host name or address; empty disables smarthost mode.</summary>
    public string? Host { get; init; }

    /// <summary>The submission port (RFC 6409: 587).</summary>
    public int Port { get; init; } = 587;

    public string? Username { get; init; }

    public string? Password { get; init; }

    /// <summary>
    /// SHA-256 thumbprint (hex) the relay's certificate must have, for a relay with a private
    /// certificate. Empty: the certificate must be valid for <see cref="Host"/> by the system's trust.
    /// </summary>
    public string? ServerCertificateThumbprint { get; init; }

    public bool Enabled => !string.IsNullOrWhiteSpace(Host);
}
