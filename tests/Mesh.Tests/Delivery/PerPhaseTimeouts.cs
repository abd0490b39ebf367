using System.Net;
using Mesh.Schedule.V1;
using Mesh.Tests.Infrastructure;

namespace Mesh.Tests.Delivery;

/// <summary>
/// RFC 5321 §4.5.3.2 timeouts apply per phase: here the end-of-DATA wait is short while commands
/// may take a minute, so a stall after the final dot ends by the end-of-DATA timeout.
/// </summary>
public sealed class PerPhaseTimeouts
{
    [Fact]
    public async Task Deliver_StallAfterFinalDot_EndsByDataTerminationTimeout()
    {
        await using var server = RawSmtpServer.Start(IPAddress.Loopback);
        server.StallAt = SmtpPhase.EndOfData;
        await using var engine = Engine.For(server.EndPoint, commandTimeout: TimeSpan.FromMinutes(1), dataTermination: TimeSpan.FromSeconds(1));

        // Within the 30-second test timeout only if the end-of-DATA timeout, not the command one, applied.
        var result = Assert.Single(await engine.DeliverAsync(Engine.Message(), CancellationToken.None).DefaultTimeout());

        Assert.Equal(Outcome.PossiblyDelivered, result.Outcome);
    }
}
