using System.Net;
using Mesh.Schedule.V1;
using Mesh.Tests.Infrastructure;

namespace Mesh.Tests.Delivery;

/// <summary>
/// A 4xx or 5xx at MAIL, RCPT, DATA or the end of DATA is classified once: 4xx deferred, 5xx bounced,
/// with the reply text, the basic and enhanced codes, the MX and IP and the source IP.
/// </summary>
public sealed class RefusalAtEachPhase
{
    [Theory]
    [InlineData(SmtpPhase.Mail, "451 4.3.0 Mail server temporarily rejected message")]
    [InlineData(SmtpPhase.Mail, "550 5.7.1 Sender rejected")]
    [InlineData(SmtpPhase.Rcpt, "450 4.2.1 Mailbox busy")]
    [InlineData(SmtpPhase.Rcpt, "550 5.1.1 No such user")]
    [InlineData(SmtpPhase.Data, "451 4.3.0 Not now")]
    [InlineData(SmtpPhase.Data, "554 5.5.1 No valid recipients")]
    [InlineData(SmtpPhase.EndOfData, "452 4.3.1 Insufficient system storage")]
    [InlineData(SmtpPhase.EndOfData, "554 5.7.1 Message rejected as spam")]
    public async Task Deliver_RefusedAtPhase_ClassifiedWithReply(SmtpPhase phase, string reply)
    {
        await using var server = RawSmtpServer.Start(IPAddress.Loopback).Reply(phase, reply);

        var result = await Engine.DeliverOneAsync(server.EndPoint);

        Assert.Equal(Engine.Expected(reply), result.Outcome);
        Assert.Equal(uint.Parse(reply[..3], System.Globalization.CultureInfo.InvariantCulture), result.Details.SmtpCode);
        Assert.Equal(reply.Split(' ')[1], result.Details.EnhancedCode);
        Assert.Contains(reply[10..], result.Details.Reply);
        Assert.Equal("127.0.0.1", result.Details.RemoteIp);
        Assert.Equal("127.0.0.2", result.Details.SourceIp);
        Assert.Equal(0, server.MessagesAccepted);
    }
}
