namespace Mesh.Agent.Policy;

/// <summary>
/// The customer's local sending policy (configuration section "Agent:Policy"), their protection
/// against a compromised provider. Read through IOptionsMonitor: a reloadable source (appsettings.json)
/// changes it without a restart.
/// </summary>
public sealed record AgentPolicyOptions
{
    public const string Section = AgentOptions.Section + ":Policy";

    /// <summary>
    /// Domains the envelope sender (MAIL FROM) and the header From may use. "example.com" matches that
    /// domain only; "*.example.com" matches its subdomains. Required unless <see cref="AllowAnySenderDomain"/>.
    /// </summary>
    public List<string> AllowedSenderDomains { get; init; } = [];

    /// <summary>Explicitly turns the sender allow-list off (every domain is allowed).</summary>
    public bool AllowAnySenderDomain { get; init; }

    /// <summary>Messages (recipients) per UTC clock hour; 0 means no cap.</summary>
    public long MaxPerHour { get; init; }

    /// <summary>Messages (recipients) per UTC day; 0 means no cap.</summary>
    public long MaxPerDay { get; init; }

    /// <summary>While true, every job is refused.</summary>
    public bool KillSwitch { get; init; }

    /// <summary>While this file exists, every job is refused. Unset means "STOP" in the journal folder.</summary>
    public string? KillSwitchFile { get; init; }

    public IEnumerable<string> Validate()
    {
        if (AllowedSenderDomains.Count == 0 && !AllowAnySenderDomain)
        {
            yield return "Agent:Policy:AllowedSenderDomains must list your sending domains (or set Agent:Policy:AllowAnySenderDomain=true to allow any)";
        }

        foreach (var domain in AllowedSenderDomains)
        {
            var bare = domain.StartsWith("*.", StringComparison.Ordinal) ? domain[2..] : domain;
            if (bare.Length == 0 || bare.Contains('@') || bare.Contains('*') || !bare.Contains('.'))
            {
                yield return $"Agent:Policy:AllowedSenderDomains: '{domain}' is not a domain or *.domain";
            }
        }

        if (MaxPerHour < 0 || MaxPerDay < 0)
        {
            yield return "Agent:Policy:MaxPerHour and MaxPerDay must not be negative";
        }
    }
}
