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
}
