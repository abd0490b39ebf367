using System.Net;
using Grpc.Core;
using Mesh.Events.V1;
using Mesh.Gateway.V1;
using Mesh.Tests.Infrastructure;

namespace Mesh.Tests.EndToEnd;

/// <summary>An agent never receives another tenant's jobs, and one tenant cannot read another's messages.</summary>
public sealed class TenantIsolation
{
    [Fact]
    public async Task OtherTenantsJob_NeverReachesThisTenantsAgent()
    {
        await using var stack = await MeshStack.StartAsync(StoreKind.Redis);
        await using var receiverA = await SmtpReceiver.StartAsync(IPAddress.Loopback);
        await using var receiverB = await SmtpReceiver.StartAsync(IPAddress.Parse("127.0.0.5"));
        var a = await stack.CreateTenantAsync("a.example");
        var b = await stack.CreateTenantAsync("b.example");
        await using var eventsA = new EventWatcher(a);
        await using var eventsB = new EventWatcher(b);
        await stack.StartAgentAsync(a.AgentToken.Secret, IPAddress.Parse("127.0.0.2"), receiverA, agentId: "agent-a");

        // B's job is queued first, while only A's agent is connected and has credit.
        var sentB = await b.Mail.SendAsync(Messages.Welcome("b.example", "bob@example.net"), b.Headers).ResponseAsync.DefaultTimeout();
        var sentA = await a.Mail.SendAsync(Messages.Welcome("a.example", "ana@example.net"), a.Headers).ResponseAsync.DefaultTimeout();
        await eventsA.WaitForAsync(sentA.Deliveries[0].MessageId, EventType.Delivered);
        var onlyA = Assert.Single(receiverA.Messages);
        Assert.Equal("hello@a.example", onlyA.MailFrom);
        Assert.DoesNotContain(eventsB.Seen, e => e.Type == EventType.Dispatched);

        // Events and messages of B are not visible to A.
        Assert.DoesNotContain(eventsA.Seen, e => e.MessageId == sentB.Deliveries[0].MessageId);
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            a.Mail.GetMessageAsync(new GetMessageRequest { MessageId = sentB.Deliveries[0].MessageId }, a.Headers).ResponseAsync.DefaultTimeout());
        Assert.Equal(StatusCode.NotFound, error.StatusCode);

        // B's own agent then delivers B's job, from its own address.
        await stack.StartAgentAsync(b.AgentToken.Secret, IPAddress.Parse("127.0.0.3"), receiverB, agentId: "agent-b");
        var deliveredB = await eventsB.WaitForAsync(sentB.Deliveries[0].MessageId, EventType.Delivered);
        Assert.Equal("agent-b", deliveredB.Details.AgentId);
        Assert.Equal(IPAddress.Parse("127.0.0.3"), Assert.Single(receiverB.Messages).Remote.Address);
        Assert.Single(receiverA.Messages);
    }
}
