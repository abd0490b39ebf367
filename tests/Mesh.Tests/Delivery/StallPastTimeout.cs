using System.Net;
using Mesh.Schedule.V1;
using Mesh.Tests.Infrastructure;

namespace Mesh.Tests.Delivery;

/// <summary>
/// A server that never answers: before the end of DATA that is a deferral; after the whole message
/// went out, a lost reply means "possibly delivered" and is never retried blindly.
/// </summary>
public sealed class StallPastTimeout
{
    [Theory]
    [InlineData(SmtpPhase.Greeting, Outcome.Deferred)]
    [InlineData(SmtpPhase.Rcpt, Outcome.Deferred)]
    [InlineData(SmtpPhase.EndOfData, Outcome.PossiblyDelivered)]
    public async Task Deliver_ServerStalls_TimesOutWithOutcome(SmtpPhase phase, Outcome expected)
    {
        await using var server = RawSmtpServer.Start(IPAddress.Loopback);
        server.StallAt = phase;

        var result = await Engine.DeliverOneAsync(server.EndPoint, commandTimeout: TimeSpan.FromSeconds(1));

        Assert.Equal(expected, result.Outcome);
    }
}
