using Mesh.Gateway.V1;
using Mesh.Tests.EndToEnd;

namespace Mesh.Tests.Domains;

/// <summary>
/// With an overlap (Mesh:Sign:RetireAfter) after a switch, the replaced selectors no longer sign but
/// stay among the records to publish, marked previous and not required, so that messages signed
/// before the switch still verify while they are queued or retried.
/// </summary>
public sealed class PreviousKeyKeptDuringOverlap
{
    [Fact]
    public async Task VerifyDomain_SwitchWithOverlap_OldSelectorsPreviousNotSigning()
    {
        using var dns = LocalDnsServer.Start();
        await using var stack = await MeshStack.StartAsync(StoreKind.Garnet, new Dictionary<string, string?>
        {
            ["Mesh:Gateway:NameServers:0"] = dns.EndPoint.ToString(),
            ["Mesh:Sign:RetireAfter"] = "1.00:00:00",
        }).DefaultTimeout();
        await using var receiver = await SmtpReceiver.StartAsync(System.Net.IPAddress.Loopback).DefaultTimeout();
        var tenant = await stack.CreateTenantAsync("overlap.example").DefaultTimeout();
        await stack.StartAgentAsync(tenant.AgentToken.Secret, DomainDns.AgentSource, receiver).DefaultTimeout();
        var rotated = await tenant.Domains.RotateKeysAsync(new RotateKeysRequest { Domain = "overlap.example", SelectorPrefix = "next" }, tenant.Headers).ResponseAsync.DefaultTimeout();
        DomainDns.Publish(dns, rotated.Records.Where(r => r.Purpose == RecordPurpose.Dkim));

        var switched = await tenant.Domains.VerifyDomainAsync(new VerifyDomainRequest { Domain = "overlap.example" }, tenant.Headers).ResponseAsync.DefaultTimeout();

        Assert.Equal(["nexte", "nextr"], switched.ActivatedSelectors.Order());
        var dkim = switched.Domain.Records.Where(r => r.Purpose == RecordPurpose.Dkim).ToList();
        Assert.Equal(
            [("nextr", KeyState.Active, true), ("nexte", KeyState.Active, true),
             (tenant.Dkim.DkimSelector, KeyState.Previous, false), (tenant.Dkim.DkimEd25519Selector, KeyState.Previous, false)],
            dkim.Select(r => (r.Selector, r.KeyState, r.Required)));
        Assert.Equal(tenant.Dkim.DkimRecordValue, dkim[2].Value);

        await tenant.Mail.SendAsync(Messages.Welcome("overlap.example"), tenant.Headers).ResponseAsync.DefaultTimeout();
        var received = await receiver.NextMessageAsync(TestTimeouts.Default).DefaultTimeout();
        var signatures = DkimCheck.VerifyEach(received.Data, DomainDns.Dkim(switched.Domain));
        Assert.Equal(["nexte", "nextr"], signatures.Select(s => s.Selector).Order());
        Assert.All(signatures, s => Assert.True(s.Verified));
    }
}
