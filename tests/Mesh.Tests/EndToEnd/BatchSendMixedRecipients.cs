using System.Net;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Mesh.Events.V1;
using Mesh.Gateway.V1;

namespace Mesh.Tests.EndToEnd;

/// <summary>SendBatch: valid recipients are sent, invalid ones are answered one by one, in order.</summary>
public sealed class BatchSendMixedRecipients
{
    [Fact]
    public async Task SendBatch_MixedRecipients_EachAnsweredValidOnesDelivered()
    {
        await using var stack = await MeshStack.StartAsync(StoreKind.Garnet);
        await using var receiver = await Infrastructure.SmtpReceiver.StartAsync(IPAddress.Loopback);
        var tenant = await stack.CreateTenantAsync("acme.example", strictVariables: true);
        await using var events = new EventWatcher(tenant);
        await stack.StartAgentAsync(tenant.AgentToken.Secret, IPAddress.Parse("127.0.0.2"), receiver);

        var request = Messages.Welcome("acme.example", "ana@example.net", "not an address", "bob@example.net", "cid@example.net");
        request.To[3].Variables = new Struct();
        request.IdempotencyKey = "batch-1";
        var response = await tenant.Mail.SendBatchAsync(request, tenant.Headers).ResponseAsync.DefaultTimeout();

        Assert.Equal(["ana@example.net", "not an address", "bob@example.net", "cid@example.net"], response.Results.Select(r => r.Recipient));
        Assert.NotEmpty(response.Results[0].MessageId);
        Assert.NotEmpty(response.Results[2].MessageId);
        Assert.Equal("to[1].address.email", Violation(response.Results[1]));
        Assert.Equal("to[3].variables", Violation(response.Results[3]));
        Assert.Empty(response.Results[1].MessageId);

        await events.WaitForAsync(response.Results[0].MessageId, EventType.Delivered);
        await events.WaitForAsync(response.Results[2].MessageId, EventType.Delivered);
        Assert.Equal(["ana@example.net", "bob@example.net"], receiver.Messages.SelectMany(m => m.RcptTo).Order());

        // The same batch again (a client retry) is answered with the same ids and sends nothing more.
        var replay = await tenant.Mail.SendBatchAsync(request, tenant.Headers).ResponseAsync.DefaultTimeout();
        Assert.Equal(response.Results.Select(r => r.MessageId), replay.Results.Select(r => r.MessageId));
        Assert.Equal(2, events.Seen.Count(e => e.Type == EventType.Accepted));
    }

    private static string Violation(BatchResult result)
    {
        Assert.Equal((int)Code.InvalidArgument, result.Error.Code);
        var detail = result.Error.Details.Single().Unpack<BadRequest>();
        return Assert.Single(detail.FieldViolations.Select(v => v.Field).Distinct());
    }
}
