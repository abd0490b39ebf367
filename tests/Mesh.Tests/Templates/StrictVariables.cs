using System.Net;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Mesh.Events.V1;
using Mesh.Tests.EndToEnd;
using StackExchange.Redis;

namespace Mesh.Tests.Templates;

/// <summary>A tenant setting decides whether a missing variable is an error at Send or renders empty.</summary>
public sealed class StrictVariables
{
    [Fact]
    public async Task Send_StrictTenantRecipientLacksVariable_InvalidArgumentAndNothingStored()
    {
        await using var stack = await MeshStack.StartAsync(StoreKind.Redis);
        var tenant = await stack.CreateTenantAsync("strict.example", strictVariables: true);
        await using var redis = await ConnectionMultiplexer.ConnectAsync(stack.Redis!.ConnectionString);
        var before = redis.GetServers()[0].Keys(pattern: $"{{t:{tenant.Id}}}:*").Count();

        var request = Messages.Welcome("strict.example", "ana@example.net", "bob@example.net");
        request.To[1].Variables.Fields.Remove("name");
        var error = await Assert.ThrowsAsync<RpcException>(() => tenant.Mail.SendAsync(request, tenant.Headers).ResponseAsync.DefaultTimeout());

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        var violations = error.GetRpcStatus()!.GetDetail<BadRequest>()!.FieldViolations;
        Assert.All(violations, v => Assert.Equal("to[1].variables", v.Field));
        Assert.Contains(violations, v => v.Description.Contains("'name'", StringComparison.Ordinal));
        Assert.Equal(before, redis.GetServers()[0].Keys(pattern: $"{{t:{tenant.Id}}}:*").Count());
    }

    [Fact]
    public async Task Send_LenientTenantRecipientLacksVariable_RendersEmptyAndDelivers()
    {
        await using var stack = await MeshStack.StartAsync(StoreKind.Garnet);
        await using var receiver = await Infrastructure.SmtpReceiver.StartAsync(IPAddress.Loopback);
        var tenant = await stack.CreateTenantAsync("lenient.example");
        await using var events = new EventWatcher(tenant);
        await stack.StartAgentAsync(tenant.AgentToken.Secret, IPAddress.Parse("127.0.0.2"), receiver);

        var request = Messages.Welcome("lenient.example", "ana@example.net");
        request.To[0].Variables = new Struct();
        var sent = await tenant.Mail.SendAsync(request, tenant.Headers).ResponseAsync.DefaultTimeout();

        await events.WaitForAsync(sent.Deliveries[0].MessageId, EventType.Delivered);
        var received = MimeKit.MimeMessage.Load(new MemoryStream(Assert.Single(receiver.Messages).Data));
        Assert.Equal("Welcome,", received.Subject?.TrimEnd());
    }
}
