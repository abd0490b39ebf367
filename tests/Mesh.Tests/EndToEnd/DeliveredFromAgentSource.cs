using System.Net;
using Mesh.Events.V1;
using Mesh.Gateway.V1;
using Mesh.Tests.Infrastructure;

namespace Mesh.Tests.EndToEnd;

/// <summary>
/// The spine: Send → schedule → render → sign → dispatch → agent (127.0.0.2) → SMTP receiver
/// (127.0.0.1), with the delivered event coming back on StreamEvents.
/// </summary>
public sealed class DeliveredFromAgentSource
{
    [Theory]
    [InlineData(StoreKind.Redis)]
    [InlineData(StoreKind.Garnet)]
    public async Task Send_AgentDelivers_ReceiverSeesSignedMessageFromAgentAddress(StoreKind store)
    {
        await using var stack = await MeshStack.StartAsync(store);
        await using var receiver = await SmtpReceiver.StartAsync(IPAddress.Loopback);
        var tenant = await stack.CreateTenantAsync("acme.example");
        await using var events = new EventWatcher(tenant);
        await stack.StartAgentAsync(tenant.AgentToken.Secret, IPAddress.Parse("127.0.0.2"), receiver);

        var sent = await tenant.Mail.SendAsync(Messages.Welcome("acme.example", "ana@example.net"), tenant.Headers).ResponseAsync.DefaultTimeout();
        var id = Assert.Single(sent.Deliveries).MessageId;

        var received = await receiver.NextMessageAsync(TestTimeouts.Default);
        Assert.Equal(IPAddress.Parse("127.0.0.2"), received.Remote.Address);
        Assert.Equal("hello@acme.example", received.MailFrom);
        Assert.Equal(["ana@example.net"], received.RcptTo);
        var text = System.Text.Encoding.UTF8.GetString(received.Data);
        Assert.Contains("Subject: Welcome, ana", text);
        Assert.True(DkimCheck.Verify(received.Data, tenant.Dkim.DkimSelector, tenant.Dkim.DkimRecordValue), "DKIM signature must verify");

        var delivered = await events.WaitForAsync(id, EventType.Delivered);
        Assert.Equal(250u, delivered.Details.SmtpCode);
        Assert.Equal(received.Reply.Text, delivered.Details.Reply);
        Assert.Equal("2.0.0", delivered.Details.EnhancedCode);
        Assert.Equal("127.0.0.2", delivered.Details.SourceIp);
        Assert.Equal("agent-1", delivered.Details.AgentId);
        Assert.Equal(1u, delivered.Attempt);

        var order = events.Seen.Where(e => e.MessageId == id).Select(e => e.Type).ToList();
        Assert.Equal([EventType.Accepted, EventType.Dispatched, EventType.Delivered], order);

        var message = await tenant.Mail.GetMessageAsync(new GetMessageRequest { MessageId = id }, tenant.Headers).ResponseAsync.DefaultTimeout();
        Assert.Equal(MessageState.Delivered, message.State);

        // Dispatch's internal service knows the agent and the address it delivers from.
        var agents = await new Mesh.Dispatch.V1.Dispatch.DispatchClient(stack.Channel)
            .ListAgentsAsync(new Mesh.Dispatch.V1.ListAgentsRequest { TenantId = tenant.Id }).ResponseAsync.DefaultTimeout();
        var agent = Assert.Single(agents.Agents);
        Assert.Equal("agent-1", agent.AgentId);
        Assert.Equal(["127.0.0.2"], agent.SourceAddresses);
        Assert.True(agent.Connected);
    }

    [Fact]
    public async Task DkimCheck_TamperedBody_FailsVerification()
    {
        await using var stack = await MeshStack.StartAsync(StoreKind.Garnet);
        await using var receiver = await SmtpReceiver.StartAsync(IPAddress.Loopback);
        var tenant = await stack.CreateTenantAsync("acme.example");
        await stack.StartAgentAsync(tenant.AgentToken.Secret, IPAddress.Parse("127.0.0.2"), receiver);
        await tenant.Mail.SendAsync(Messages.Welcome("acme.example"), tenant.Headers).ResponseAsync.DefaultTimeout();

        var received = await receiver.NextMessageAsync(TestTimeouts.Default);
        var tampered = System.Text.Encoding.UTF8.GetBytes(System.Text.Encoding.UTF8.GetString(received.Data).Replace("1234", "9999"));
        Assert.True(DkimCheck.Verify(received.Data, tenant.Dkim.DkimSelector, tenant.Dkim.DkimRecordValue));
        Assert.False(DkimCheck.Verify(tampered, tenant.Dkim.DkimSelector, tenant.Dkim.DkimRecordValue));
    }
}
