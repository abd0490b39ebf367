using System.Net;
using Mesh.Schedule.V1;
using Mesh.Tests.Infrastructure;

namespace Mesh.Tests.Delivery;

/// <summary>
/// The connection drops while the message is still being sent: deferred, to be retried. (Had the
/// whole message gone out before the drop, the lost reply would make it "possibly delivered".)
/// </summary>
public sealed class DisconnectInData
{
    [Fact]
    public async Task Deliver_DroppedMidData_Deferred()
    {
        await using var server = RawSmtpServer.Start(IPAddress.Loopback);
        server.DropAfterDataBytes = 10;

        await using var engine = Engine.For(server.EndPoint);
        var result = Assert.Single(await engine.DeliverAsync(Engine.Message(bodyLines: 100_000), CancellationToken.None).DefaultTimeout());

        Assert.Equal(Outcome.Deferred, result.Outcome);
        Assert.Equal(0u, result.Details.SmtpCode);
        Assert.Equal(0, server.MessagesAccepted);
    }
}
