using System.Net;
using Mesh.Admin.V1;
using Mesh.Events.V1;
using Mesh.Tests.EndToEnd;

namespace Mesh.Tests.Agent;

/// <summary>
/// The provider hands the agent mail from a domain the customer did not allow: the agent refuses it
/// before any SMTP connection, and the tenant sees rejected_by_agent_policy.
/// </summary>
public sealed class PolicySenderDomainNotAllowed
{
    [Fact]
    public async Task SenderDomainNotInAllowList_RejectedByAgentPolicy_AllowedDomainDelivered()
    {
        await using var stack = await MeshStack.StartAsync(StoreKind.Garnet);
        await using var receiver = await SmtpReceiver.StartAsync(IPAddress.Loopback);
        var tenant = await stack.CreateTenantAsync("acme.example");
        await stack.Admin.AddDomainAsync(new AddDomainRequest { TenantId = tenant.Id, Domain = "rogue.example" }, MeshStack.AdminHeaders).ResponseAsync.DefaultTimeout();
        await using var events = new EventWatcher(tenant);
        var settings = stack.AgentSettings(tenant.AgentToken.Secret, IPAddress.Parse("127.0.0.2"), receiver);
        settings["Agent:Policy:AllowAnySenderDomain"] = "false";
        settings["Agent:Policy:AllowedSenderDomains:0"] = "acme.example";
        await stack.StartAgentAsync(settings);

        var rogue = await tenant.Mail.SendAsync(Messages.Welcome("rogue.example"), tenant.Headers).ResponseAsync.DefaultTimeout();
        var rejected = await events.WaitForAsync(rogue.Deliveries[0].MessageId, EventType.RejectedByAgentPolicy);
        Assert.Contains("'rogue.example'", rejected.Details.Reply);
        Assert.Contains("Agent:Policy:AllowedSenderDomains", rejected.Details.Reply);
        Assert.Equal(0, receiver.RcptAttempts);

        var allowed = await tenant.Mail.SendAsync(Messages.Welcome("acme.example"), tenant.Headers).ResponseAsync.DefaultTimeout();
        await events.WaitForAsync(allowed.Deliveries[0].MessageId, EventType.Delivered);
        var received = Assert.Single(receiver.Messages);
        Assert.Equal("hello@acme.example", received.MailFrom);
        Assert.DoesNotContain(events.Seen, e => e.MessageId == rogue.Deliveries[0].MessageId && e.Type == EventType.Delivered);
    }
}
