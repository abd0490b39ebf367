using System.Net;
using System.Security.Cryptography;
using Mesh.Delivery;
using Mesh.Schedule.V1;
using Mesh.Tests.Infrastructure;

namespace Mesh.Tests.Delivery;

/// <summary>
/// Smarthost mode: every message goes to the customer's relay (a real SmtpServer with STARTTLS and
/// AUTH required), over TLS with a pinned certificate, authenticated; wrong credentials defer.
/// </summary>
public sealed class SmarthostWithAuth
{
    [Theory]
    [InlineData("s3cret", Outcome.Delivered)]
    [InlineData("wrong", Outcome.Deferred)]
    public async Task Deliver_ThroughRelayWithAuthOverTls(string password, Outcome expected)
    {
        await using var relay = await TlsSmtpServer.StartAsync(IPAddress.Loopback, "relay.test", ("agent", "s3cret"));
        var options = new DeliveryOptions
        {
            SourceAddress = "127.0.0.2",
            EhloName = "agent.test",
            Smarthost = new SmarthostOptions
            {
                Host = "127.0.0.1",
                Port = relay.EndPoint.Port,
                Username = "agent",
                Password = password,
                ServerCertificateThumbprint = relay.Certificate.GetCertHashString(HashAlgorithmName.SHA256),
            },
        };
        await using var engine = Engine.Create(options);

        var result = Assert.Single(await engine.DeliverAsync(Engine.Message("ana@far-away.example"), CancellationToken.None).DefaultTimeout());

        Assert.Equal(expected, result.Outcome);
        Assert.Equal(expected == Outcome.Delivered ? 1 : 0, relay.Messages);
        if (expected == Outcome.Delivered)
        {
            Assert.NotEmpty(result.Details.TlsProtocol);
            Assert.Equal(["agent"], relay.AuthenticatedUsers);
        }
    }
}
