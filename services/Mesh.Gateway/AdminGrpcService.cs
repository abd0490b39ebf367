using System.Security.Cryptography;
using System.Text;
using Grpc.Core;
using Mesh.Admin.V1;
using Mesh.Store;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Mesh.Gateway;

/// <summary>Operator API: tenants, sending domains, API keys and agent tokens.</summary>
public sealed class AdminGrpcService(MeshStore store, DomainOnboarding onboarding, IOptions<GatewayOptions> options) : Admin.V1.Admin.AdminBase
{
    private IDatabase Db => store.Database;

    public override async Task<Tenant> CreateTenant(CreateTenantRequest request, ServerCallContext context)
    {
        Authorize(context);
        var errors = new FieldErrors();
        if (string.IsNullOrWhiteSpace(request.Name) || request.Name.Length > 200)
        {
            errors.Add("name", "a name of 1 to 200 characters is required");
        }

        errors.ThrowIfAny();
        var id = "t_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        await Db.HashSetAsync(Keys.Tenant(id),
        [
            new("name", request.Name), new("strict", request.StrictVariables),
            new(TenantFlags.TestMode, request.TestMode), new(TenantFlags.ProviderDelivery, request.ProviderDelivery),
            new(Keys.TenantRequireTls, request.RequireTls),
        ]);
        await Db.SetAddAsync(Keys.Tenants, id);
        return new Tenant { TenantId = id, Name = request.Name, StrictVariables = request.StrictVariables, TestMode = request.TestMode, ProviderDelivery = request.ProviderDelivery, RequireTls = request.RequireTls };
    }

    public override async Task<Domain> AddDomain(AddDomainRequest request, ServerCallContext context)
    {
        Authorize(context);
        await RequireTenantAsync(request.TenantId);
        var domain = DomainOnboarding.Normalize(request.Domain);
        var key = await onboarding.AddAsync(request.TenantId, domain, context.CancellationToken);
        return new Domain
        {
            Name = domain,
            DkimSelector = key.Selector,
            DkimRecordName = $"{key.Selector}._domainkey.{domain}",
            DkimRecordValue = key.DnsTxt,
            DkimEd25519Selector = key.Ed25519Selector,
            DkimEd25519RecordName = $"{key.Ed25519Selector}._domainkey.{domain}",
            DkimEd25519RecordValue = key.Ed25519DnsTxt,
        };
    }

    public override async Task<Credential> CreateApiKey(CreateApiKeyRequest request, ServerCallContext context)
    {
        Authorize(context);
        await RequireTenantAsync(request.TenantId);
        var id = "ak_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        var secret = SecretHash.NewSecret("mk_");
        await Db.HashSetAsync(Keys.ApiKeys, SecretHash.Of(secret), $"{request.TenantId}|{id}");
        return new Credential { Id = id, Secret = secret };
    }

    public override async Task<Credential> CreateAgentToken(CreateAgentTokenRequest request, ServerCallContext context)
    {
        Authorize(context);
        await RequireTenantAsync(request.TenantId);
        var id = "at_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        var secret = SecretHash.NewSecret("mat_");
        var hash = SecretHash.Of(secret);
        var tx = Db.CreateTransaction();
        _ = tx.HashSetAsync(Keys.AgentTokens, hash, $"{request.TenantId}|{id}");
        _ = tx.StringSetAsync(Keys.AgentToken(id), hash);
        await tx.ExecuteAsync();
        return new Credential { Id = id, Secret = secret };
    }

    public override async Task<RevokeAgentTokenResponse> RevokeAgentToken(RevokeAgentTokenRequest request, ServerCallContext context)
    {
        Authorize(context);
        var hash = await Db.StringGetAsync(Keys.AgentToken(request.Id));
        if (hash.IsNull)
        {
            throw new RpcException(new Status(StatusCode.NotFound, $"no agent token '{request.Id}'"));
        }

        var tx = Db.CreateTransaction();
        _ = tx.HashDeleteAsync(Keys.AgentTokens, hash.ToString());
        _ = tx.KeyDeleteAsync(Keys.AgentToken(request.Id));
        await tx.ExecuteAsync();
        return new RevokeAgentTokenResponse();
    }

    private void Authorize(ServerCallContext context)
    {
        var expected = options.Value.AdminKey;
        if (string.IsNullOrEmpty(expected))
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, "the admin API is disabled: set Mesh:Gateway:AdminKey"));
        }

        var given = SecretHash.BearerToken(context.RequestHeaders) ?? string.Empty;
        if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(expected)))
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, "a valid admin key is required"));
        }
    }

    private async Task RequireTenantAsync(string tenant)
    {
        if (string.IsNullOrEmpty(tenant) || !await Db.SetContainsAsync(Keys.Tenants, tenant))
        {
            throw new RpcException(new Status(StatusCode.NotFound, $"no tenant '{tenant}'"));
        }
    }
}
