using System.Net;
using Mesh.Events.V1;
using Mesh.Tests.EndToEnd;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.Tests.Agent;

/// <summary>
/// The hourly cap refuses what goes past it, the count survives a restart of the agent (it is
/// rebuilt from the journal), and the next hour sends again.
/// </summary>
public sealed class PolicyHourlyCap
{
    [Fact]
    public async Task ThirdMessageInHour_RejectedByAgentPolicy_CountSurvivesRestart()
    {
        await using var stack = await MeshStack.StartAsync(StoreKind.Garnet);
        await using var receiver = await SmtpReceiver.StartAsync(IPAddress.Loopback);
        var tenant = await stack.CreateTenantAsync("acme.example");
        await using var events = new EventWatcher(tenant);
        var clock = new TestClock(new DateTimeOffset(2026, 12, 4, 10, 30, 0, TimeSpan.Zero));
        var settings = stack.AgentSettings(tenant.AgentToken.Secret, IPAddress.Parse("127.0.0.2"), receiver);
        settings["Agent:Policy:MaxPerHour"] = "2";
        var agent = await stack.StartAgentAsync(settings, s => s.AddSingleton<TimeProvider>(clock));

        var sent = await tenant.Mail.SendAsync(Messages.Welcome("acme.example", "ana@example.net", "bo@example.net", "cy@example.net"), tenant.Headers).ResponseAsync.DefaultTimeout();
        var finals = new List<Event>();
        foreach (var delivery in sent.Deliveries)
        {
            finals.Add(await events.WaitForAsync(e => e.MessageId == delivery.MessageId && e.Type is EventType.Delivered or EventType.RejectedByAgentPolicy));
        }

        Assert.Equal(2, finals.Count(e => e.Type == EventType.Delivered));
        var rejected = Assert.Single(finals, e => e.Type == EventType.RejectedByAgentPolicy);
        Assert.Contains("hourly cap of 2 messages reached", rejected.Details.Reply);
        Assert.Equal(2, receiver.Messages.Count);

        await stack.StopAgentAsync(agent);
        await stack.StartAgentAsync(settings, s => s.AddSingleton<TimeProvider>(clock));
        var afterRestart = await tenant.Mail.SendAsync(Messages.Welcome("acme.example"), tenant.Headers).ResponseAsync.DefaultTimeout();
        var stillCapped = await events.WaitForAsync(afterRestart.Deliveries[0].MessageId, EventType.RejectedByAgentPolicy);
        Assert.Contains("hourly cap", stillCapped.Details.Reply);
        Assert.Equal(2, receiver.Messages.Count);

        clock.Advance(TimeSpan.FromHours(1));
        var nextHour = await tenant.Mail.SendAsync(Messages.Welcome("acme.example"), tenant.Headers).ResponseAsync.DefaultTimeout();
        await events.WaitForAsync(nextHour.Deliveries[0].MessageId, EventType.Delivered);
        Assert.Equal(3, receiver.Messages.Count);
    }
}
