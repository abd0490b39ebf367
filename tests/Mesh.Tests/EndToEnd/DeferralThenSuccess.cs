using System.Net;
using Mesh.Events.V1;
using Mesh.Tests.Infrastructure;

namespace Mesh.Tests.EndToEnd;

/// <summary>The receiver answers 451 once, then 250: a deferred event, a retry after the configured interval, then delivered.</summary>
public sealed class DeferralThenSuccess
{
    [Fact]
    public async Task Receiver451Once_DeferredThenDeliveredOnRetry()
    {
        await using var stack = await MeshStack.StartAsync(StoreKind.Redis);
        await using var receiver = await SmtpReceiver.StartAsync(IPAddress.Loopback, new SmtpScript().RcptReply("451 4.3.0 Try again later"));
        var tenant = await stack.CreateTenantAsync("acme.example");
        await using var events = new EventWatcher(tenant);
        await stack.StartAgentAsync(tenant.AgentToken.Secret, IPAddress.Parse("127.0.0.2"), receiver);

        var sent = await tenant.Mail.SendAsync(Messages.Welcome("acme.example"), tenant.Headers).ResponseAsync.DefaultTimeout();
        var id = sent.Deliveries[0].MessageId;

        var deferred = await events.WaitForAsync(id, EventType.Deferred);
        Assert.Equal(451u, deferred.Details.SmtpCode);
        Assert.Equal("4.3.0", deferred.Details.EnhancedCode);
        Assert.Equal(1u, deferred.Attempt);
        Assert.NotNull(deferred.NextAttemptAt);
        // Mesh:Schedule:FirstRetry is one second in this stack.
        Assert.InRange(deferred.NextAttemptAt.ToDateTimeOffset() - deferred.Time.ToDateTimeOffset(), TimeSpan.FromMilliseconds(900), TimeSpan.FromSeconds(2));

        var delivered = await events.WaitForAsync(id, EventType.Delivered);
        Assert.Equal(2u, delivered.Attempt);
        Assert.True(delivered.Time.ToDateTimeOffset() >= deferred.NextAttemptAt.ToDateTimeOffset());
        Assert.Single(receiver.Messages);
        Assert.Equal(2, receiver.RcptAttempts);
    }
}
