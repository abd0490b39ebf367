using Mesh.Gateway.V1;
using Mesh.Tests.EndToEnd;

namespace Mesh.Tests.Domains;

/// <summary>
/// A DKIM record published with another key, and an SPF record that lacks the provider IP: each is a
/// mismatch that shows expected against found; the domain stays unverified.
/// </summary>
public sealed class VerifyOneRecordWrong
{
    [Fact]
    public async Task VerifyDomain_RsaRecordHoldsOtherKey_ReportedMismatchWithFoundValue()
    {
        using var dns = LocalDnsServer.Start();
        await using var stack = await DomainDns.StartStackAsync(dns).DefaultTimeout();
        var tenant = await stack.CreateTenantAsync("wrong.example", testMode: false, providerDelivery: true).DefaultTimeout();
        var other = await stack.CreateTenantAsync("other-key.example").DefaultTimeout();
        var domain = await tenant.Domains.GetDomainAsync(new GetDomainRequest { Domain = "wrong.example" }, tenant.Headers).ResponseAsync.DefaultTimeout();
        var rsaName = tenant.Dkim.DkimRecordName;
        DomainDns.Publish(dns, domain.Records.Where(r => r.Name != rsaName && r.Purpose != RecordPurpose.Spf));
        // A stale record: another domain's key at this selector.
        DomainDns.PublishTxt(dns, rsaName, other.Dkim.DkimRecordValue);
        DomainDns.PublishTxt(dns, "wrong.example", "v=spf1 include:_spf.example.org ~all");

        var verified = await tenant.Domains.VerifyDomainAsync(new VerifyDomainRequest { Domain = "wrong.example" }, tenant.Headers).ResponseAsync.DefaultTimeout();

        var dkim = Assert.Single(verified.Checks, c => c.Expected.Name == rsaName);
        Assert.Equal(CheckResult.Mismatch, dkim.Result);
        Assert.Equal(tenant.Dkim.DkimRecordValue, dkim.Expected.Value);
        Assert.Equal(other.Dkim.DkimRecordValue, Assert.Single(dkim.Found));
        var spf = Assert.Single(verified.Checks, c => c.Expected.Purpose == RecordPurpose.Spf);
        Assert.Equal(CheckResult.Mismatch, spf.Result);
        Assert.Equal("v=spf1 include:_spf.example.org ~all", Assert.Single(spf.Found));
        Assert.Contains("ip4:127.0.0.3", spf.Detail);
        Assert.Equal(2, verified.Checks.Count(c => c.Result != CheckResult.Match));
        Assert.Equal(DomainStatus.PendingVerification, verified.Domain.Status);
    }
}
