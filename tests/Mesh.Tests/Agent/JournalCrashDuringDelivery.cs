using System.Net;
using Mesh.Agent;
using Mesh.Agent.Journal;
using Mesh.Agent.V1;
using Mesh.Events.V1;
using Mesh.Tests.EndToEnd;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.Tests.Agent;

/// <summary>
/// The agent crashes after journaling a job as started and before its result (for all it knows, in
/// DATA): the restarted agent reports "possibly delivered" and never delivers it.
/// </summary>
public sealed class JournalCrashDuringDelivery
{
    [Fact]
    public async Task CrashBetweenStartAndResult_RestartReportsPossiblyDelivered_NeverDelivers()
    {
        await using var stack = await MeshStack.StartAsync(StoreKind.Garnet);
        await using var receiver = await SmtpReceiver.StartAsync(IPAddress.Loopback);
        var tenant = await stack.CreateTenantAsync("acme.example");
        await using var events = new EventWatcher(tenant);
        var settings = stack.AgentSettings(tenant.AgentToken.Secret, IPAddress.Parse("127.0.0.2"), receiver);

        var link = await RawAgent.ConnectAsync(stack, tenant.AgentToken.Secret, "agent-1", credits: 1);
        await link.ReadAsync();
        var sent = await tenant.Mail.SendAsync(Messages.Welcome("acme.example"), tenant.Headers).ResponseAsync.DefaultTimeout();
        var id = sent.Deliveries[0].MessageId;
        var job = (await link.ReadAsync()).Job;

        // What the runner journals before the first SMTP byte; then the process dies.
        using (var crashed = AgentHost.Build([], settings))
        {
            var journal = crashed.Services.GetRequiredService<AgentJournal>();
            Assert.True(journal.TryClaim(job.Ref, out _));
            await journal.StartedAsync(job).DefaultTimeout();
        }

        await link.DisposeAsync();

        var restarted = await stack.StartAgentAsync(settings);
        var possibly = await events.WaitForAsync(id, EventType.PossiblyDelivered);
        Assert.Equal(1u, possibly.Attempt);
        Assert.Contains("may have been delivered", possibly.Details.Reply);

        Assert.False(restarted.Services.GetRequiredService<JobRunner>().Start(job));
        Assert.Empty(receiver.Messages);
        Assert.Equal(0, receiver.RcptAttempts);
    }
}
