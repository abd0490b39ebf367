using System.Net;
using Mesh.Events.V1;
using Mesh.Gateway.V1;
using Mesh.Tests.Infrastructure;

namespace Mesh.Tests.EndToEnd;

/// <summary>The receiver answers 550 at RCPT: a bounced event with the reply, no retry, nothing delivered.</summary>
public sealed class PermanentFailure
{
    [Fact]
    public async Task Receiver550AtRcpt_Bounced()
    {
        await using var stack = await MeshStack.StartAsync(StoreKind.Garnet);
        await using var receiver = await SmtpReceiver.StartAsync(IPAddress.Loopback, new SmtpScript().RcptAlways("550 5.1.1 No such user"));
        var tenant = await stack.CreateTenantAsync("acme.example");
        await using var events = new EventWatcher(tenant);
        await stack.StartAgentAsync(tenant.AgentToken.Secret, IPAddress.Parse("127.0.0.2"), receiver);

        var sent = await tenant.Mail.SendAsync(Messages.Welcome("acme.example"), tenant.Headers).ResponseAsync.DefaultTimeout();
        var id = sent.Deliveries[0].MessageId;

        var bounced = await events.WaitForAsync(id, EventType.Bounced);
        Assert.Equal(550u, bounced.Details.SmtpCode);
        Assert.Equal("5.1.1", bounced.Details.EnhancedCode);
        Assert.StartsWith("5.1.1 No such user", bounced.Details.Reply);
        Assert.Empty(receiver.Messages);
        Assert.Equal(1, receiver.RcptAttempts);

        var message = await tenant.Mail.GetMessageAsync(new GetMessageRequest { MessageId = id }, tenant.Headers).ResponseAsync.DefaultTimeout();
        Assert.Equal(MessageState.Bounced, message.State);
        Assert.Equal(550u, message.LastResult.SmtpCode);
    }
}
