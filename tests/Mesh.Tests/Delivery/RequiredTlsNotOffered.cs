using System.Net;
using Mesh.Schedule.V1;
using Mesh.Tests.Infrastructure;

namespace Mesh.Tests.Delivery;

/// <summary>Under a required-TLS policy a server without STARTTLS gets nothing: a deferral, never plaintext.</summary>
public sealed class RequiredTlsNotOffered
{
    [Fact]
    public async Task Deliver_RequireTlsAndNoStartTls_DeferredWithoutMail()
    {
        await using var server = RawSmtpServer.Start(IPAddress.Loopback);
        await using var engine = Engine.For(server.EndPoint);

        var result = Assert.Single(await engine.DeliverAsync(Engine.Message() with { RequireTls = true }, CancellationToken.None).DefaultTimeout());

        Assert.Equal(Outcome.Deferred, result.Outcome);
        Assert.Contains("does not offer STARTTLS", result.Details.Reply);
        Assert.DoesNotContain(server.Commands, c => c.StartsWith("MAIL", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Deliver_OpportunisticAndNoStartTls_DeliveredInPlaintext()
    {
        await using var server = RawSmtpServer.Start(IPAddress.Loopback);

        var result = await Engine.DeliverOneAsync(server.EndPoint);

        Assert.Equal(Outcome.Delivered, result.Outcome);
        Assert.Empty(result.Details.TlsProtocol);
    }
}
