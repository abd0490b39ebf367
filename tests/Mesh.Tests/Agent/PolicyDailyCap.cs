using System.Net;
using Mesh.Events.V1;
using Mesh.Tests.EndToEnd;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.Tests.Agent;

/// <summary>The daily cap holds across hours of the same UTC day.</summary>
public sealed class PolicyDailyCap
{
    [Fact]
    public async Task SecondMessageOfDayInLaterHour_RejectedByAgentPolicy()
    {
        await using var stack = await MeshStack.StartAsync(StoreKind.Garnet);
        await using var receiver = await SmtpReceiver.StartAsync(IPAddress.Loopback);
        var tenant = await stack.CreateTenantAsync("acme.example");
        await using var events = new EventWatcher(tenant);
        var clock = new TestClock(new DateTimeOffset(2026, 12, 4, 10, 30, 0, TimeSpan.Zero));
        var settings = stack.AgentSettings(tenant.AgentToken.Secret, IPAddress.Parse("127.0.0.2"), receiver);
        settings["Agent:Policy:MaxPerDay"] = "1";
        await stack.StartAgentAsync(settings, s => s.AddSingleton<TimeProvider>(clock));

        var first = await tenant.Mail.SendAsync(Messages.Welcome("acme.example"), tenant.Headers).ResponseAsync.DefaultTimeout();
        await events.WaitForAsync(first.Deliveries[0].MessageId, EventType.Delivered);

        clock.Advance(TimeSpan.FromHours(3));
        var second = await tenant.Mail.SendAsync(Messages.Welcome("acme.example"), tenant.Headers).ResponseAsync.DefaultTimeout();
        var rejected = await events.WaitForAsync(second.Deliveries[0].MessageId, EventType.RejectedByAgentPolicy);
        Assert.Contains("daily cap of 1 messages reached", rejected.Details.Reply);
        Assert.Single(receiver.Messages);
    }
}
