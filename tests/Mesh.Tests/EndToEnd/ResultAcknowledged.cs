using Mesh.Agent.V1;
using Mesh.Events.V1;

namespace Mesh.Tests.EndToEnd;

/// <summary>Dispatch acknowledges each result it has recorded, so the agent's journal can forget it.</summary>
public sealed class ResultAcknowledged
{
    [Fact]
    public async Task ResultReported_DispatchSendsResultAck()
    {
        await using var stack = await MeshStack.StartAsync(StoreKind.Garnet);
        var tenant = await stack.CreateTenantAsync("acme.example");
        await using var events = new EventWatcher(tenant);
        await using var link = await RawAgent.ConnectAsync(stack, tenant.AgentToken.Secret, "agent-1", credits: 1);
        Assert.True((await link.ReadAsync()).Welcome.ResultAcks);
        var sent = await tenant.Mail.SendAsync(Messages.Welcome("acme.example"), tenant.Headers).ResponseAsync.DefaultTimeout();
        var job = (await link.ReadAsync()).Job;

        await link.SendAsync(new AgentMessage
        {
            Result = new DeliveryResult
            {
                Ref = job.Ref,
                Recipients = { new RecipientResult { Recipient = "ana@example.net", Outcome = Mesh.Schedule.V1.Outcome.Delivered, Details = new DeliveryDetails { SmtpCode = 250 } } },
            },
        }).DefaultTimeout();

        var ack = await link.ReadAsync();
        Assert.Equal(DispatchMessage.KindOneofCase.ResultAck, ack.KindCase);
        Assert.Equal(job.Ref, ack.ResultAck.Ref);
        await events.WaitForAsync(sent.Deliveries[0].MessageId, EventType.Delivered);
    }
}
