using System.Net;
using Mesh.Agent.V1;
using Mesh.Events.V1;

namespace Mesh.Tests.EndToEnd;

/// <summary>Tags and metadata stay on the provider side and come back in every event; SMTPUTF8 is flagged on the job.</summary>
public sealed class TagsAndMetadata
{
    [Fact]
    public async Task Send_TagsAndMetadata_InEveryEventNeverInMessage()
    {
        await using var stack = await MeshStack.StartAsync(StoreKind.Redis);
        await using var receiver = await Infrastructure.SmtpReceiver.StartAsync(IPAddress.Loopback);
        var tenant = await stack.CreateTenantAsync("acme.example");
        await using var events = new EventWatcher(tenant);
        await stack.StartAgentAsync(tenant.AgentToken.Secret, IPAddress.Parse("127.0.0.2"), receiver);

        var request = Messages.Welcome("acme.example");
        request.Tags.Add("welcome-series");
        request.Metadata["crm_id"] = "cust-8841-secret";
        var sent = await tenant.Mail.SendAsync(request, tenant.Headers).ResponseAsync.DefaultTimeout();
        var id = sent.Deliveries[0].MessageId;

        await events.WaitForAsync(id, EventType.Delivered);
        var mine = events.Seen.Where(e => e.MessageId == id).ToList();
        Assert.Equal([EventType.Accepted, EventType.Dispatched, EventType.Delivered], mine.Select(e => e.Type));
        Assert.All(mine, e =>
        {
            Assert.Equal(["welcome-series"], e.Tags);
            Assert.Equal("cust-8841-secret", e.Metadata["crm_id"]);
        });
        Assert.DoesNotContain("cust-8841-secret", System.Text.Encoding.UTF8.GetString(Assert.Single(receiver.Messages).Data));
    }

    [Fact]
    public async Task Send_NonAsciiLocalPart_JobFlaggedSmtpUtf8()
    {
        await using var stack = await MeshStack.StartAsync(StoreKind.Garnet);
        var tenant = await stack.CreateTenantAsync("acme.example");
        await using var agent = await RawAgent.ConnectAsync(stack, tenant.AgentToken.Secret, "raw", credits: 2);
        Assert.Equal(DispatchMessage.KindOneofCase.Welcome, (await agent.ReadAsync()).KindCase);

        await tenant.Mail.SendAsync(Messages.Welcome("acme.example", "ñandú@example.net"), tenant.Headers).ResponseAsync.DefaultTimeout();
        var utf8 = (await agent.ReadAsync()).Job;
        await tenant.Mail.SendAsync(Messages.Welcome("acme.example", "ana@bücher.example"), tenant.Headers).ResponseAsync.DefaultTimeout();
        var idn = (await agent.ReadAsync()).Job;

        Assert.Equal("ñandú@example.net", Assert.Single(utf8.RcptTo));
        Assert.True(utf8.Smtputf8);
        Assert.False(idn.Smtputf8);
    }
}
