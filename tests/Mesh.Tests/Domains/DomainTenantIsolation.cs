using Grpc.Core;
using Mesh.Gateway.V1;
using Mesh.Tests.EndToEnd;

namespace Mesh.Tests.Domains;

/// <summary>
/// Another tenant's domain does not exist for the caller: get, verify, rotate and revoke all answer
/// NOT_FOUND (the same as a domain nobody has, so nothing leaks), and the owner's keys are unchanged.
/// </summary>
public sealed class DomainTenantIsolation
{
    [Fact]
    public async Task DomainCalls_AnotherTenantsDomain_NotFoundAndOwnerUnchanged()
    {
        using var dns = LocalDnsServer.Start();
        await using var stack = await DomainDns.StartStackAsync(dns, StoreKind.Garnet).DefaultTimeout();
        var owner = await stack.CreateTenantAsync("owned.example", testMode: false).DefaultTimeout();
        var intruder = await stack.CreateTenantAsync("intruder.example", testMode: false).DefaultTimeout();
        var before = await owner.Domains.GetDomainAsync(new GetDomainRequest { Domain = "owned.example" }, owner.Headers).ResponseAsync.DefaultTimeout();
        DomainDns.Publish(dns, before.Records);

        var calls = new Func<Task>[]
        {
            () => intruder.Domains.GetDomainAsync(new GetDomainRequest { Domain = "owned.example" }, intruder.Headers).ResponseAsync,
            () => intruder.Domains.VerifyDomainAsync(new VerifyDomainRequest { Domain = "owned.example" }, intruder.Headers).ResponseAsync,
            () => intruder.Domains.RotateKeysAsync(new RotateKeysRequest { Domain = "owned.example" }, intruder.Headers).ResponseAsync,
            () => intruder.Domains.RevokeSelectorAsync(new RevokeSelectorRequest { Domain = "owned.example", Selector = owner.Dkim.DkimSelector }, intruder.Headers).ResponseAsync,
        };
        foreach (var call in calls)
        {
            var error = await Assert.ThrowsAsync<RpcException>(() => call().DefaultTimeout());
            Assert.Equal(StatusCode.NotFound, error.StatusCode);
            Assert.Equal("no domain 'owned.example'", error.Status.Detail);
        }

        var after = await owner.Domains.GetDomainAsync(new GetDomainRequest { Domain = "owned.example" }, owner.Headers).ResponseAsync.DefaultTimeout();
        Assert.Equal(before, after);
        Assert.Equal(DomainStatus.PendingVerification, after.Status);
    }
}
