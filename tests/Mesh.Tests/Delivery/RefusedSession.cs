using System.Net;
using Mesh.Schedule.V1;
using Mesh.Tests.Infrastructure;

namespace Mesh.Tests.Delivery;

/// <summary>
/// A refused greeting or EHLO means no session with that host: the next MX is tried and, when
/// none takes the message, it is deferred (Postfix's smtp_skip_5xx_greeting), never bounced.
/// </summary>
public sealed class RefusedSession
{
    [Theory]
    [InlineData(SmtpPhase.Greeting, "421 4.3.2 Service not available")]
    [InlineData(SmtpPhase.Greeting, "554 5.3.2 No SMTP service here")]
    [InlineData(SmtpPhase.Ehlo, "421 4.7.0 Try again later")]
    [InlineData(SmtpPhase.Ehlo, "550 5.7.1 Go away")]
    public async Task Deliver_GreetingOrEhloRefused_Deferred(SmtpPhase phase, string reply)
    {
        await using var server = RawSmtpServer.Start(IPAddress.Loopback).Reply(phase, reply);

        var result = await Engine.DeliverOneAsync(server.EndPoint);

        Assert.Equal(Outcome.Deferred, result.Outcome);
        Assert.Contains(reply[4..].Split(' ', 2)[1], result.Details.Reply);
        Assert.Equal("127.0.0.1", result.Details.RemoteIp);
        Assert.Equal(0, server.MessagesAccepted);
    }
}
