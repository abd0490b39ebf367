using System.Net;
using Mesh.Events.V1;
using Mesh.Tests.Infrastructure;

namespace Mesh.Tests.EndToEnd;

/// <summary>Once Send answered OK, a restart of the provider or a hard kill of the store loses nothing.</summary>
public sealed class RestartLosesNothing
{
    [Fact]
    public async Task EmbeddedStore_ProviderRestartsBeforeDelivery_MessageStillDelivered()
    {
        await using var stack = await MeshStack.StartAsync(StoreKind.Garnet);
        await using var receiver = await SmtpReceiver.StartAsync(IPAddress.Loopback);
        var tenant = await stack.CreateTenantAsync("acme.example");
        var sent = await tenant.Mail.SendAsync(Messages.Welcome("acme.example"), tenant.Headers).ResponseAsync.DefaultTimeout();

        await stack.RestartProviderAsync();

        await using var events = new EventWatcher(tenant);
        await stack.StartAgentAsync(tenant.AgentToken.Secret, IPAddress.Parse("127.0.0.2"), receiver);
        await events.WaitForAsync(sent.Deliveries[0].MessageId, EventType.Delivered);
        Assert.Single(receiver.Messages);
    }

    [Fact]
    public async Task Redis_KilledHardAfterSend_MessageStillDelivered()
    {
        // A claim cut short by the kill is taken again after the claim timeout (1 minute by default).
        await using var stack = await MeshStack.StartAsync(StoreKind.Redis, new Dictionary<string, string?> { ["Mesh:Schedule:ClaimTimeout"] = "00:00:02" });
        await using var receiver = await SmtpReceiver.StartAsync(IPAddress.Loopback);
        var tenant = await stack.CreateTenantAsync("acme.example");
        var sent = await tenant.Mail.SendAsync(Messages.Welcome("acme.example"), tenant.Headers).ResponseAsync.DefaultTimeout();

        // SIGKILL: only what appendfsync always put on disk survives.
        await stack.Redis!.RestartAsync();

        await using var events = new EventWatcher(tenant);
        await stack.StartAgentAsync(tenant.AgentToken.Secret, IPAddress.Parse("127.0.0.2"), receiver);
        await events.WaitForAsync(sent.Deliveries[0].MessageId, EventType.Delivered);
        Assert.Single(receiver.Messages);
    }
}
