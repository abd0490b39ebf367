using Mesh.Gateway.V1;
using Mesh.Tests.EndToEnd;

namespace Mesh.Tests.Domains;

/// <summary>
/// One DKIM record left out of DNS: VerifyDomain reports that record as missing (expected value,
/// nothing found), every other record as a match, and the domain stays unverified.
/// </summary>
public sealed class VerifyOneRecordMissing
{
    [Fact]
    public async Task VerifyDomain_Ed25519RecordMissing_ReportedMissingAndNotVerified()
    {
        using var dns = LocalDnsServer.Start();
        await using var stack = await DomainDns.StartStackAsync(dns).DefaultTimeout();
        var tenant = await stack.CreateTenantAsync("missing.example", testMode: false).DefaultTimeout();
        var domain = await tenant.Domains.GetDomainAsync(new GetDomainRequest { Domain = "missing.example" }, tenant.Headers).ResponseAsync.DefaultTimeout();
        var left = tenant.Dkim.DkimEd25519RecordName;
        DomainDns.Publish(dns, domain.Records.Where(r => r.Name != left));

        var verified = await tenant.Domains.VerifyDomainAsync(new VerifyDomainRequest { Domain = "missing.example" }, tenant.Headers).ResponseAsync.DefaultTimeout();

        var missing = Assert.Single(verified.Checks, c => c.Result != CheckResult.Match);
        Assert.Equal(CheckResult.Missing, missing.Result);
        Assert.Equal(left, missing.Expected.Name);
        Assert.Equal(tenant.Dkim.DkimEd25519RecordValue, missing.Expected.Value);
        Assert.Empty(missing.Found);
        Assert.Contains(left, missing.Detail);
        Assert.Equal(DomainStatus.PendingVerification, verified.Domain.Status);
    }
}
