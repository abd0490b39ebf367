using System.Net;
using Mesh.Agent.V1;
using Mesh.Events.V1;

namespace Mesh.Tests.EndToEnd;

/// <summary>
/// A tenant whose TLS policy is "required": its jobs carry require_tls, and its agent defers rather
/// than deliver to a receiver without STARTTLS; an opportunistic tenant's jobs do not.
/// </summary>
public sealed class TenantTlsPolicy
{
    [Fact]
    public async Task Dispatch_RequiredTlsTenant_JobsCarryPolicy()
    {
        await using var stack = await MeshStack.StartAsync(StoreKind.Garnet);
        var strict = await stack.CreateTenantAsync("strict-tls.example", requireTls: true);
        var relaxed = await stack.CreateTenantAsync("relaxed-tls.example");
        await using var strictAgent = await RawAgent.ConnectAsync(stack, strict.AgentToken.Secret, "strict", credits: 1);
        await using var relaxedAgent = await RawAgent.ConnectAsync(stack, relaxed.AgentToken.Secret, "relaxed", credits: 1);
        await strictAgent.ReadAsync();
        await relaxedAgent.ReadAsync();

        await strict.Mail.SendAsync(Messages.Welcome("strict-tls.example"), strict.Headers).ResponseAsync.DefaultTimeout();
        await relaxed.Mail.SendAsync(Messages.Welcome("relaxed-tls.example"), relaxed.Headers).ResponseAsync.DefaultTimeout();

        Assert.True((await strictAgent.ReadAsync()).Job.RequireTls);
        Assert.False((await relaxedAgent.ReadAsync()).Job.RequireTls);
    }

    [Fact]
    public async Task Deliver_RequiredTlsTenantAndPlaintextReceiver_DeferredNotDelivered()
    {
        await using var stack = await MeshStack.StartAsync(StoreKind.Redis);
        await using var receiver = await Infrastructure.SmtpReceiver.StartAsync(IPAddress.Loopback);
        var tenant = await stack.CreateTenantAsync("strict-tls.example", requireTls: true);
        await using var events = new EventWatcher(tenant);
        await stack.StartAgentAsync(tenant.AgentToken.Secret, IPAddress.Parse("127.0.0.2"), receiver);

        var sent = await tenant.Mail.SendAsync(Messages.Welcome("strict-tls.example"), tenant.Headers).ResponseAsync.DefaultTimeout();

        var deferred = await events.WaitForAsync(sent.Deliveries[0].MessageId, EventType.Deferred);
        Assert.Contains("does not offer STARTTLS", deferred.Details.Reply);
        Assert.Empty(receiver.Messages);
    }
}
