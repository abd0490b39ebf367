using System.Net;
using Mesh.Agent;
using Mesh.Agent.V1;
using Mesh.Events.V1;
using Mesh.Tests.EndToEnd;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.Tests.Agent;

/// <summary>
/// The agent crashes after the receiver's 250 and before it reports the result: the restarted agent
/// reports it from its journal, and the message is delivered once.
/// </summary>
public sealed class JournalCrashAfterDelivery
{
    [Fact]
    public async Task CrashAfter250BeforeReport_RestartReportsDelivered_NoSecondDelivery()
    {
        await using var stack = await MeshStack.StartAsync(StoreKind.Garnet);
        await using var receiver = await SmtpReceiver.StartAsync(IPAddress.Loopback);
        var tenant = await stack.CreateTenantAsync("acme.example");
        await using var events = new EventWatcher(tenant);
        var settings = stack.AgentSettings(tenant.AgentToken.Secret, IPAddress.Parse("127.0.0.2"), receiver);

        // Dispatch leases the job to the agent's link.
        var link = await RawAgent.ConnectAsync(stack, tenant.AgentToken.Secret, "agent-1", credits: 1);
        Assert.Equal(DispatchMessage.KindOneofCase.Welcome, (await link.ReadAsync()).KindCase);
        var sent = await tenant.Mail.SendAsync(Messages.Welcome("acme.example"), tenant.Headers).ResponseAsync.DefaultTimeout();
        var id = sent.Deliveries[0].MessageId;
        var job = (await link.ReadAsync()).Job;

        // The agent's runner delivers it and journals the result, then the process dies before the
        // result is sent: no session is attached, and the host with all its memory is thrown away.
        using (var crashed = AgentHost.Build([], settings))
        {
            var runner = crashed.Services.GetRequiredService<JobRunner>();
            Assert.True(runner.Start(job));
            await runner.DrainAsync(TestTimeouts.Default).DefaultTimeout();
        }

        await link.DisposeAsync();
        Assert.Single(receiver.Messages);

        // A new agent process over the same journal reports the result on its first session.
        var restarted = await stack.StartAgentAsync(settings);
        var delivered = await events.WaitForAsync(id, EventType.Delivered);
        Assert.Equal(1u, delivered.Attempt);
        Assert.Equal(250u, delivered.Details.SmtpCode);
        Assert.Equal("agent-1", delivered.Details.AgentId);

        // The same (delivery id, attempt) offered again is refused, not delivered a second time.
        Assert.False(restarted.Services.GetRequiredService<JobRunner>().Start(job));
        Assert.Single(receiver.Messages);
        Assert.Equal(1, receiver.DataAttempts);
    }
}
