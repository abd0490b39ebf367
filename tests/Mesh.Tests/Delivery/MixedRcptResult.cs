using System.Net;
using Mesh.Schedule.V1;
using Mesh.Tests.Infrastructure;

namespace Mesh.Tests.Delivery;

/// <summary>One transaction, two recipients: one accepted and delivered, one refused at RCPT and bounced.</summary>
public sealed class MixedRcptResult
{
    [Fact]
    public async Task Deliver_OneRecipientRefused_ResultPerRecipient()
    {
        await using var server = RawSmtpServer.Start(IPAddress.Loopback)
            .Reply(SmtpPhase.Rcpt, "550 5.1.1 No such user", when: rcpt => rcpt.Contains("bob@", StringComparison.Ordinal));
        await using var engine = Engine.For(server.EndPoint);

        var results = await engine.DeliverAsync(Engine.Message("ana@example.net", "bob@example.net"), CancellationToken.None).DefaultTimeout();

        var ana = Assert.Single(results, r => r.Recipient == "ana@example.net");
        var bob = Assert.Single(results, r => r.Recipient == "bob@example.net");
        Assert.Equal((Outcome.Delivered, 250u), (ana.Outcome, ana.Details.SmtpCode));
        Assert.Equal((Outcome.Bounced, 550u, "5.1.1"), (bob.Outcome, bob.Details.SmtpCode, bob.Details.EnhancedCode));
        Assert.Equal(1, server.MessagesAccepted);
        Assert.Single(server.Commands, c => c.StartsWith("DATA", StringComparison.Ordinal));
    }
}
