using Mesh.Events.V1;
using Mesh.Gateway.V1;
using Mesh.Tests.EndToEnd;

namespace Mesh.Tests.Domains;

/// <summary>
/// AddDomain answers with every record to publish (both DKIM keys, SPF with the agent's source IP
/// and the provider egress IP, DMARC p=none, the return-path MX and SPF); once they are all in DNS,
/// VerifyDomain reports each as a match and the domain is verified.
/// </summary>
public sealed class VerifyAllRecordsMatch
{
    [Fact]
    public async Task VerifyDomain_AllRecordsPublished_EachMatchesAndDomainVerified()
    {
        using var dns = LocalDnsServer.Start();
        await using var stack = await DomainDns.StartStackAsync(dns).DefaultTimeout();
        await using var receiver = await SmtpReceiver.StartAsync(System.Net.IPAddress.Loopback).DefaultTimeout();
        var tenant = await stack.CreateTenantAsync("onboard.example", providerDelivery: true).DefaultTimeout();

        // Before any agent connected, SPF lists only the provider egress IP (the tenant enabled provider delivery).
        var added = await tenant.Domains.AddDomainAsync(new AddDomainRequest { Domain = "Onboard.Example." }, tenant.Headers).ResponseAsync.DefaultTimeout();
        Assert.Equal("onboard.example", added.Name);
        Assert.Equal(DomainStatus.PendingVerification, added.Status);
        Assert.Equal("v=spf1 ip4:127.0.0.3 ~all", Assert.Single(added.Records, r => r.Purpose == RecordPurpose.Spf).Value);

        // Once the agent has delivered, its source IP is known and SPF authorises it too.
        await stack.StartAgentAsync(tenant.AgentToken.Secret, DomainDns.AgentSource, receiver).DefaultTimeout();
        await tenant.Mail.SendAsync(Messages.Welcome("onboard.example"), tenant.Headers).ResponseAsync.DefaultTimeout();
        await receiver.NextMessageAsync(TestTimeouts.Default).DefaultTimeout();
        var domain = await tenant.Domains.GetDomainAsync(new GetDomainRequest { Domain = "onboard.example" }, tenant.Headers).ResponseAsync.DefaultTimeout();

        var dkim = domain.Records.Where(r => r.Purpose == RecordPurpose.Dkim).ToList();
        Assert.Equal([tenant.Dkim.DkimSelector, tenant.Dkim.DkimEd25519Selector], dkim.Select(r => r.Selector));
        Assert.All(dkim, r => Assert.True(r.Required && r.KeyState == KeyState.Active && r.Type == "TXT"));
        Assert.Equal(tenant.Dkim.DkimRecordName, dkim[0].Name);
        Assert.Equal(tenant.Dkim.DkimRecordValue, dkim[0].Value);
        Assert.Equal(tenant.Dkim.DkimEd25519RecordValue, dkim[1].Value);
        var spf = Assert.Single(domain.Records, r => r.Purpose == RecordPurpose.Spf);
        Assert.Equal(("onboard.example", "v=spf1 ip4:127.0.0.2 ip4:127.0.0.3 ~all"), (spf.Name, spf.Value));
        var dmarc = Assert.Single(domain.Records, r => r.Purpose == RecordPurpose.Dmarc);
        Assert.Equal(("_dmarc.onboard.example", "v=DMARC1; p=none; rua=mailto:dmarc-reports@onboard.example"), (dmarc.Name, dmarc.Value));
        var mx = Assert.Single(domain.Records, r => r.Purpose == RecordPurpose.ReturnPathMx);
        Assert.Equal(("mesh-bounces.onboard.example", DomainDns.ReturnPathHost, 10u), (mx.Name, mx.Value, mx.Priority));
        var bounceSpf = Assert.Single(domain.Records, r => r.Purpose == RecordPurpose.ReturnPathSpf);
        Assert.Equal(("mesh-bounces.onboard.example", spf.Value), (bounceSpf.Name, bounceSpf.Value));

        DomainDns.Publish(dns, domain.Records);
        var verified = await tenant.Domains.VerifyDomainAsync(new VerifyDomainRequest { Domain = "onboard.example" }, tenant.Headers).ResponseAsync.DefaultTimeout();

        Assert.Equal(domain.Records.Count, verified.Checks.Count);
        Assert.All(verified.Checks, c => Assert.True(c.Result == CheckResult.Match, $"{c.Expected.Purpose} {c.Expected.Name}: {c.Result} {c.Detail}"));
        Assert.Equal(tenant.Dkim.DkimRecordValue, Assert.Single(verified.Checks[0].Found));
        Assert.Equal(DomainStatus.Verified, verified.Domain.Status);
        Assert.Empty(verified.ActivatedSelectors);
        var events = await DomainDns.DomainEventsUntilAsync(tenant, EventType.DomainVerified).DefaultTimeout();
        Assert.Equal([EventType.DomainAdded, EventType.DomainVerified], events.Select(e => e.Type));
        Assert.Equal([tenant.Dkim.DkimSelector, tenant.Dkim.DkimEd25519Selector], events[0].Selectors);
    }
}
