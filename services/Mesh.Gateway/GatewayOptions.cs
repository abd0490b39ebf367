namespace Mesh.Gateway;

/// <summary>Integrator API settings (configuration section "Mesh:Gateway").</summary>
public sealed record GatewayOptions
{
    public const string Section = "Mesh:Gateway";

    /// <summary>Bearer key of the admin API. Empty disables the admin API.</summary>
    public string? AdminKey { get; init; }

    /// <summary>Recipients in one Send (SES and SendGrid allow 50 and 1000; Mesh takes 1000).</summary>
    public int MaxRecipients { get; init; } = 1000;

    /// <summary>Public base URL of the gateway's HTTP endpoint, for one-click unsubscribe links (RFC 8058), e.g. https://mail.example.net.</summary>
    public Uri? PublicBaseUrl { get; init; }

    /// <summary>Secret (at least 32 characters) that signs unsubscribe links, so they cannot be forged.</summary>
    public string? UnsubscribeKey { get; init; }

    /// <summary>Domain of the mailto in List-Unsubscribe (unsubscribe+token@domain); empty leaves the mailto out.</summary>
    public string? UnsubscribeMailDomain { get; init; }

    /// <summary>Largest content (templates, variables and headers) of one Send, in bytes. SES: 10 MB.</summary>
    public int MaxContentBytes { get; init; } = 10 * 1024 * 1024;

    /// <summary>
    /// Source IPs of provider-direct egress. The SPF record of a tenant with provider delivery
    /// enabled authorises them beside its agents' IPs.
    /// </summary>
    public List<string> ProviderEgressAddresses { get; init; } = [];

    /// <summary>Resolvers VerifyDomain asks, as "ip" or "ip:port"; empty: the system's resolvers.</summary>
    public List<string> NameServers { get; init; } = [];

    /// <summary>How long VerifyDomain waits for one DNS answer.</summary>
    public TimeSpan DnsTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// Label of the return-path (bounce) subdomain the customer delegates by MX to
    /// <see cref="ReturnPathHost"/>, e.g. "mesh-bounces" gives mesh-bounces.example.com.
    /// </summary>
    public string ReturnPathLabel { get; init; } = "mesh-bounces";

    /// <summary>
    /// The provider's bounce host that return-path subdomains point their MX at, e.g.
    /// "feedback.mesh.example.net". Empty: no return-path records are given (bounce processing off).
    /// </summary>
    public string? ReturnPathHost { get; init; }

    /// <summary>
    /// Address for DMARC aggregate reports (rua) in the suggested DMARC record. Empty:
    /// dmarc-reports@&lt;domain&gt; (an address at another domain needs that domain's consent, RFC 7489 §7.1).
    /// </summary>
    public string? DmarcReportAddress { get; init; }
}
