namespace Mesh.Gateway;

/// <summary>Integrator API settings (configuration section "Mesh:Gateway").</summary>
public sealed record GatewayOptions
{
    public const string Section = "Mesh:Gateway";

    /// <summary>Bearer key of the admin API. Empty disables the admin API.</summary>
    public string? AdminKey { get; init; }

    /// <summary>Recipients in one Send (SES and SendGrid allow 50 and 1000; Mesh takes 1000).</summary>
    public int MaxRecipients { get; init; } = 1000;

    /// <summary>Largest content (templates, variables and headers) of one Send, in bytes. SES: 10 MB.</summary>
    public int MaxContentBytes { get; init; } = 10 * 1024 * 1024;
}
