using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Mesh.Events.V1;
using Mesh.Sign.V1;
using Mesh.Store;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Mesh.Gateway;

/// <summary>
/// Claims a sending domain for a tenant and creates its DKIM keys in the sign service; shared by
/// the admin API and mesh.gateway.v1.Domains. Also the one place that says who owns a domain.
/// </summary>
public sealed partial class DomainOnboarding(MeshStore store, Sign.V1.Sign.SignClient sign, EventLog events, TimeProvider clock, ILogger<DomainOnboarding> logger)
{
    /// <summary>
    /// The lower-case domain (an IDN stays in the form given, as the From address carries it), or INVALID_ARGUMENT (google.rpc.BadRequest on
    /// <paramref name="field"/>). RFC 5321 §4.1.2: in A-label form, letters, digits and hyphens, at least two labels.
    /// </summary>
    public static string Normalize(string given, string field = "domain")
    {
        var domain = given.Trim().TrimEnd('.').ToLowerInvariant();
        string ascii;
        try
        {
            ascii = domain.Length == 0 ? domain : Idn.GetAscii(domain);
        }
        catch (ArgumentException)
        {
            ascii = string.Empty;
        }

        var labels = ascii.Split('.');
        if (ascii.Length is 0 or > 253 || labels.Length < 2 || !labels.All(l => LdhLabel().IsMatch(l)) || labels[^1].All(char.IsAsciiDigit))
        {
            var errors = new FieldErrors();
            errors.Add(field, $"'{given}' is not a domain name");
            errors.ThrowIfAny();
        }

        return domain;
    }

    /// <summary>Claims the domain (ALREADY_EXISTS when another tenant has it) and creates its keys; adding it again changes nothing.</summary>
    public async Task<CreateKeyResponse> AddAsync(string tenant, string domain, CancellationToken ct)
    {
        var claimed = await store.Database.HashSetAsync(Keys.Domains, domain, tenant, When.NotExists);
        if (!claimed && await store.Database.HashGetAsync(Keys.Domains, domain) != tenant)
        {
            throw new RpcException(new Status(StatusCode.AlreadyExists, $"{domain} belongs to another tenant"));
        }

        CreateKeyResponse key;
        try
        {
            key = await sign.CreateKeyAsync(new CreateKeyRequest { TenantId = tenant, Domain = domain }, cancellationToken: ct);
        }
        catch (RpcException) when (claimed)
        {
            // No half-made domain: give the claim back when the key could not be made.
            await store.Database.HashDeleteAsync(Keys.Domains, domain);
            throw;
        }

        if (claimed)
        {
            Log.DomainAdded(logger, tenant, domain);
            await events.AppendAsync(tenant, new Event
            {
                Type = EventType.DomainAdded,
                Domain = domain,
                Selectors = { key.Selector, key.Ed25519Selector },
                Time = Timestamp.FromDateTimeOffset(clock.GetUtcNow()),
            });
        }

        return key;
    }

    private static readonly System.Globalization.IdnMapping Idn = new() { UseStd3AsciiRules = true };

    [System.Text.RegularExpressions.GeneratedRegex("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")]
    private static partial System.Text.RegularExpressions.Regex LdhLabel();

    /// <summary>The normalized domain when the tenant owns it; NOT_FOUND otherwise (another tenant's domain too: no existence leak).</summary>
    public async Task<string> RequireOwnedAsync(string tenant, string given)
    {
        var domain = Normalize(given);
        if (await store.Database.HashGetAsync(Keys.Domains, domain) != tenant)
        {
            throw new RpcException(new Status(StatusCode.NotFound, $"no domain '{domain}'"));
        }

        return domain;
    }
}
