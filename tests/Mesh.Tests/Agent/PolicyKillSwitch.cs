using System.Net;
using Mesh.Events.V1;
using Mesh.Tests.EndToEnd;

namespace Mesh.Tests.Agent;

/// <summary>
/// The kill switch refuses every job while it is on: a STOP file in the journal folder (taken into
/// account at once, no restart) or Agent:Policy:KillSwitch.
/// </summary>
public sealed class PolicyKillSwitch
{
    [Fact]
    public async Task StopFilePresent_RejectedByAgentPolicy_RemovedThenDelivered()
    {
        await using var stack = await MeshStack.StartAsync(StoreKind.Garnet);
        await using var receiver = await SmtpReceiver.StartAsync(IPAddress.Loopback);
        var tenant = await stack.CreateTenantAsync("acme.example");
        await using var events = new EventWatcher(tenant);
        var settings = stack.AgentSettings(tenant.AgentToken.Secret, IPAddress.Parse("127.0.0.2"), receiver);
        await stack.StartAgentAsync(settings);
        var stop = Path.Combine(settings["Agent:JournalPath"]!, "STOP");
        await File.WriteAllTextAsync(stop, "incident 42").DefaultTimeout();

        var refused = await tenant.Mail.SendAsync(Messages.Welcome("acme.example"), tenant.Headers).ResponseAsync.DefaultTimeout();
        var rejected = await events.WaitForAsync(refused.Deliveries[0].MessageId, EventType.RejectedByAgentPolicy);
        Assert.Contains("kill switch is on", rejected.Details.Reply);
        Assert.Contains(stop, rejected.Details.Reply);
        Assert.Equal(0, receiver.RcptAttempts);

        File.Delete(stop);
        var allowed = await tenant.Mail.SendAsync(Messages.Welcome("acme.example"), tenant.Headers).ResponseAsync.DefaultTimeout();
        await events.WaitForAsync(allowed.Deliveries[0].MessageId, EventType.Delivered);
        Assert.Single(receiver.Messages);
    }

    [Fact]
    public async Task KillSwitchSetting_RejectedByAgentPolicy()
    {
        await using var stack = await MeshStack.StartAsync(StoreKind.Garnet);
        await using var receiver = await SmtpReceiver.StartAsync(IPAddress.Loopback);
        var tenant = await stack.CreateTenantAsync("acme.example");
        await using var events = new EventWatcher(tenant);
        var settings = stack.AgentSettings(tenant.AgentToken.Secret, IPAddress.Parse("127.0.0.2"), receiver);
        settings["Agent:Policy:KillSwitch"] = "true";
        await stack.StartAgentAsync(settings);

        var sent = await tenant.Mail.SendAsync(Messages.Welcome("acme.example"), tenant.Headers).ResponseAsync.DefaultTimeout();
        var rejected = await events.WaitForAsync(sent.Deliveries[0].MessageId, EventType.RejectedByAgentPolicy);
        Assert.Contains("Agent:Policy:KillSwitch", rejected.Details.Reply);
        Assert.Equal(0, receiver.RcptAttempts);
    }
}
