using System.Net;
using Mesh.Agent.V1;
using Mesh.Events.V1;
using Mesh.Tests.Infrastructure;

namespace Mesh.Tests.EndToEnd;

/// <summary>An agent takes a job and dies; the lease ends and another agent of the tenant delivers it.</summary>
public sealed class LeaseExpiryRedelivery
{
    [Fact]
    public async Task AgentDiesMidJob_LeaseEnds_OtherAgentDeliversOnce()
    {
        await using var stack = await MeshStack.StartAsync(StoreKind.Redis, new Dictionary<string, string?>
        {
            ["Mesh:Dispatch:LeaseDuration"] = "00:00:02",
            ["Mesh:Dispatch:HeartbeatInterval"] = "00:00:01",
        });
        await using var receiver = await SmtpReceiver.StartAsync(IPAddress.Loopback);
        var tenant = await stack.CreateTenantAsync("acme.example");
        await using var events = new EventWatcher(tenant);

        var doomed = await RawAgent.ConnectAsync(stack, tenant.AgentToken.Secret, "doomed", credits: 1);
        Assert.Equal(DispatchMessage.KindOneofCase.Welcome, (await doomed.ReadAsync()).KindCase);
        var sent = await tenant.Mail.SendAsync(Messages.Welcome("acme.example"), tenant.Headers).ResponseAsync.DefaultTimeout();
        var id = sent.Deliveries[0].MessageId;
        var job = (await doomed.ReadAsync()).Job;
        Assert.Equal(id, job.Ref.DeliveryId);
        Assert.Equal(1u, job.Ref.Attempt);
        await doomed.DisposeAsync();

        await stack.StartAgentAsync(tenant.AgentToken.Secret, IPAddress.Parse("127.0.0.2"), receiver, agentId: "survivor");
        var delivered = await events.WaitForAsync(id, EventType.Delivered);
        Assert.Equal(2u, delivered.Attempt);
        Assert.Equal("survivor", delivered.Details.AgentId);
        var dispatches = events.Seen.Where(e => e.MessageId == id && e.Type == EventType.Dispatched).ToList();
        Assert.Equal(["doomed", "survivor"], dispatches.Select(e => e.Details.AgentId));
        Assert.Single(receiver.Messages);
    }

    [Fact]
    public async Task LateResultOfEndedLease_IsIgnored()
    {
        await using var stack = await MeshStack.StartAsync(StoreKind.Garnet, new Dictionary<string, string?>
        {
            ["Mesh:Dispatch:LeaseDuration"] = "00:00:02",
            ["Mesh:Dispatch:HeartbeatInterval"] = "00:00:01",
        });
        var tenant = await stack.CreateTenantAsync("acme.example");
        await using var events = new EventWatcher(tenant);
        await using var slow = await RawAgent.ConnectAsync(stack, tenant.AgentToken.Secret, "slow", credits: 1);
        await slow.ReadAsync();
        var sent = await tenant.Mail.SendAsync(Messages.Welcome("acme.example"), tenant.Headers).ResponseAsync.DefaultTimeout();
        var first = (await slow.ReadAsync()).Job;

        // No heartbeat: the lease ends, the job is requeued, and the same agent gets attempt 2.
        var second = (await slow.ReadAsync()).Job;
        Assert.Equal(first.Ref.DeliveryId, second.Ref.DeliveryId);
        Assert.Equal(2u, second.Ref.Attempt);

        // The result of attempt 1 arrives late and must change nothing; attempt 2's result counts.
        await slow.SendAsync(Result(first.Ref, Mesh.Schedule.V1.Outcome.Bounced, 550));
        await slow.SendAsync(Result(second.Ref, Mesh.Schedule.V1.Outcome.Delivered, 250));
        var final = await events.WaitForAsync(e => e.MessageId == sent.Deliveries[0].MessageId && e.Type is EventType.Delivered or EventType.Bounced);
        Assert.Equal(EventType.Delivered, final.Type);
        Assert.Equal(2u, final.Attempt);
    }

    private static AgentMessage Result(JobRef job, Mesh.Schedule.V1.Outcome outcome, uint code) => new()
    {
        Result = new DeliveryResult
        {
            Ref = job,
            Recipients = { new RecipientResult { Recipient = "ana@example.net", Outcome = outcome, Details = new DeliveryDetails { SmtpCode = code } } },
        },
    };
}
