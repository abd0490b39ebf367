using System.Net;
using Mesh.Schedule.V1;
using Mesh.Tests.Infrastructure;

namespace Mesh.Tests.Delivery;

/// <summary>A job that needs SMTPUTF8, to a server that does not offer it: bounced with 5.6.7 saying why, nothing sent.</summary>
public sealed class SmtpUtf8NotOffered
{
    [Fact]
    public async Task Deliver_NeedsSmtpUtf8NotAdvertised_BouncedWithReason()
    {
        await using var server = RawSmtpServer.Start(IPAddress.Loopback);
        await using var engine = Engine.For(server.EndPoint);

        var result = Assert.Single(await engine.DeliverAsync(Engine.Message() with { Smtputf8 = true }, CancellationToken.None).DefaultTimeout());

        Assert.Equal((Outcome.Bounced, "5.6.7"), (result.Outcome, result.Details.EnhancedCode));
        Assert.Contains("SMTPUTF8", result.Details.Reply);
        Assert.DoesNotContain(server.Commands, c => c.StartsWith("MAIL", StringComparison.OrdinalIgnoreCase));
    }
}
