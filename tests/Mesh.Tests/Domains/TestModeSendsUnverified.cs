using Mesh.Gateway.V1;
using Mesh.Tests.EndToEnd;

namespace Mesh.Tests.Domains;

/// <summary>A tenant in test mode may send from a domain that is not verified yet; the mail is still signed.</summary>
public sealed class TestModeSendsUnverified
{
    [Fact]
    public async Task Send_TestModeTenantUnverifiedDomain_AcceptedAndDelivered()
    {
        await using var stack = await MeshStack.StartAsync(StoreKind.Garnet).DefaultTimeout();
        await using var receiver = await SmtpReceiver.StartAsync(System.Net.IPAddress.Loopback).DefaultTimeout();
        var tenant = await stack.CreateTenantAsync("sandbox.example", testMode: true).DefaultTimeout();
        await stack.StartAgentAsync(tenant.AgentToken.Secret, DomainDns.AgentSource, receiver).DefaultTimeout();
        var domain = await tenant.Domains.GetDomainAsync(new GetDomainRequest { Domain = "sandbox.example" }, tenant.Headers).ResponseAsync.DefaultTimeout();
        Assert.Equal(DomainStatus.PendingVerification, domain.Status);

        await tenant.Mail.SendAsync(Messages.Welcome("sandbox.example"), tenant.Headers).ResponseAsync.DefaultTimeout();
        var received = await receiver.NextMessageAsync(TestTimeouts.Default).DefaultTimeout();

        Assert.All(DkimCheck.VerifyEach(received.Data, tenant.Dkim), r => Assert.True(r.Verified));
    }
}
