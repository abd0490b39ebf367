using System.Text.RegularExpressions;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Mesh.Events.V1;
using Mesh.Gateway.V1;
using Mesh.Sign.V1;
using Mesh.Store;
using Microsoft.Extensions.Logging;
using KeyState = Mesh.Gateway.V1.KeyState;
using SignKeyState = Mesh.Sign.V1.KeyState;

namespace Mesh.Gateway;

/// <summary>Sending domains of the caller's tenant: onboarding, verification and DKIM key lifecycle.</summary>
public sealed partial class DomainsGrpcService(
    ApiKeyAuthenticator authenticator,
    DomainOnboarding onboarding,
    DomainRecords records,
    DnsRecordChecker checker,
    MeshStore store,
    EventLog events,
    TimeProvider clock,
    Sign.V1.Sign.SignClient sign,
    ILogger<DomainsGrpcService> logger) : V1.Domains.DomainsBase
{
    public override async Task<V1.Domain> AddDomain(V1.AddDomainRequest request, ServerCallContext context)
    {
        var tenant = await authenticator.TenantOfAsync(context);
        var domain = DomainOnboarding.Normalize(request.Domain);
        await onboarding.AddAsync(tenant, domain, context.CancellationToken);
        return await DescribeAsync(tenant, domain, context);
    }

    public override async Task<V1.Domain> GetDomain(GetDomainRequest request, ServerCallContext context)
    {
        var tenant = await authenticator.TenantOfAsync(context);
        var domain = await onboarding.RequireOwnedAsync(tenant, request.Domain);
        return await DescribeAsync(tenant, domain, context);
    }

    public override async Task<VerifyDomainResponse> VerifyDomain(VerifyDomainRequest request, ServerCallContext context)
    {
        var tenant = await authenticator.TenantOfAsync(context);
        var domain = await onboarding.RequireOwnedAsync(tenant, request.Domain);
        var before = await DescribeAsync(tenant, domain, context);
        var response = new VerifyDomainResponse();
        foreach (var record in before.Records)
        {
            response.Checks.Add(await checker.CheckAsync(record, context.CancellationToken));
        }

        bool Seen(KeyState state) =>
            response.Checks.Any(c => c.Expected.KeyState == state)
            && response.Checks.Where(c => c.Expected.KeyState == state).All(c => c.Result == CheckResult.Match);

        // The domain verifies when the records of the keys that sign are in DNS (as SES: DKIM decides).
        if (Seen(KeyState.Active) && await store.Database.SetAddAsync(Keys.VerifiedDomains(tenant), domain))
        {
            Log.DomainVerified(logger, tenant, domain);
            await events.AppendAsync(tenant, new Event { Type = EventType.DomainVerified, Domain = domain, Time = Timestamp.FromDateTimeOffset(clock.GetUtcNow()) });
        }

        // A rotation switches only once receivers can find the new keys.
        if (Seen(KeyState.Pending))
        {
            var keys = await sign.ActivatePendingAsync(new KeysRequest { TenantId = tenant, Domain = domain }, cancellationToken: context.CancellationToken);
            response.ActivatedSelectors.Add(keys.Keys.Where(k => k.State == SignKeyState.Active).Select(k => k.Selector));
        }

        response.Domain = await DescribeAsync(tenant, domain, context);
        return response;
    }

    public override async Task<V1.Domain> RotateKeys(V1.RotateKeysRequest request, ServerCallContext context)
    {
        var tenant = await authenticator.TenantOfAsync(context);
        if (request.SelectorPrefix.Length > 0 && !SelectorPrefixPattern().IsMatch(request.SelectorPrefix))
        {
            var errors = new FieldErrors();
            errors.Add("selector_prefix", "1 to 40 characters of a-z, 0-9 and '-', starting with a letter or digit");
            errors.ThrowIfAny();
        }

        var domain = await onboarding.RequireOwnedAsync(tenant, request.Domain);
        await sign.RotateKeysAsync(new Sign.V1.RotateKeysRequest { TenantId = tenant, Domain = domain, SelectorPrefix = request.SelectorPrefix }, cancellationToken: context.CancellationToken);
        return await DescribeAsync(tenant, domain, context);
    }

    public override async Task<V1.Domain> RevokeSelector(RevokeSelectorRequest request, ServerCallContext context)
    {
        var tenant = await authenticator.TenantOfAsync(context);
        var domain = await onboarding.RequireOwnedAsync(tenant, request.Domain);
        await sign.RevokeKeyAsync(new RevokeKeyRequest { TenantId = tenant, Domain = domain, Selector = request.Selector }, cancellationToken: context.CancellationToken);
        return await DescribeAsync(tenant, domain, context);
    }

    private async Task<V1.Domain> DescribeAsync(string tenant, string domain, ServerCallContext context)
    {
        var keys = await sign.GetKeysAsync(new KeysRequest { TenantId = tenant, Domain = domain }, cancellationToken: context.CancellationToken);
        var verified = await store.Database.SetContainsAsync(Keys.VerifiedDomains(tenant), domain);
        return new V1.Domain
        {
            Name = domain,
            Status = verified ? DomainStatus.Verified : DomainStatus.PendingVerification,
            Records = { await records.ExpectedAsync(tenant, domain, keys) },
            RevokedSelectors = { keys.Keys.Where(k => k.State == SignKeyState.Revoked).Select(k => k.Selector) },
        };
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,39}$")]
    private static partial Regex SelectorPrefixPattern();
}
