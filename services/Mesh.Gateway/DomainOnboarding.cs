using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Mesh.Events.V1;
using Mesh.Sign.V1;
using Mesh.Store;
using StackExchange.Redis;

namespace Mesh.Gateway;

/// <summary>
/// Claims a sending domain for a tenant and creates its DKIM keys in the sign service; shared by
/// the admin API and mesh.gateway.v1.Domains. Also the one place that says who owns a domain.
/// </summary>
public sealed class DomainOnboarding(MeshStore store, Sign.V1.Sign.SignClient sign, EventLog events, TimeProvider clock)
{
    /// <summary>The lower-case domain, or INVALID_ARGUMENT (google.rpc.BadRequest on <paramref name="field"/>).</summary>
    public static string Normalize(string given, string field = "domain")
    {
        var domain = given.Trim().TrimEnd('.').ToLowerInvariant();
        if (domain.Length > 253 || Uri.CheckHostName(domain) != UriHostNameType.Dns || !domain.Contains('.') || domain.Split('.').Any(l => l.Length is 0 or > 63))
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
