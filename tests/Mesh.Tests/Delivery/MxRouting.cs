using System.Net;
using Mesh.Delivery;
using Mesh.Schedule.V1;
using Mesh.Tests.Infrastructure;

namespace Mesh.Tests.Delivery;

/// <summary>
/// MX routing through DnsClient against a real local DNS server: preference order and the next MX
/// when one cannot be reached, the RFC 5321 §5.1 A fallback, RFC 7505 null MX, and NXDOMAIN.
/// </summary>
public sealed class MxRouting
{
    [Fact]
    public async Task Deliver_FirstMxUnreachable_NextMxInPreferenceOrderDelivers()
    {
        await using var server = RawSmtpServer.Start(IPAddress.Parse("127.0.0.11"));
        using var dns = LocalDnsServer.Start(
            LocalDnsServer.Mx("example.net", 20, "mx2.example.net"),
            LocalDnsServer.Mx("example.net", 10, "mx1.example.net"),
            LocalDnsServer.Mx("example.net", 30, "mx3.example.net"),
            LocalDnsServer.A("mx1.example.net", "127.0.0.10"),
            LocalDnsServer.A("mx2.example.net", "127.0.0.11"),
            LocalDnsServer.A("mx3.example.net", "127.0.0.12"));

        var result = await DeliverAsync(dns, server.EndPoint.Port, "ana@example.net");

        Assert.Equal(Outcome.Delivered, result.Outcome);
        Assert.Equal(("mx2.example.net", "127.0.0.11"), (result.Details.RemoteMx, result.Details.RemoteIp));
        Assert.Equal(1, server.MessagesAccepted);
    }

    [Fact]
    public async Task Deliver_NoMxRecords_FallsBackToDomainAddress()
    {
        await using var server = RawSmtpServer.Start(IPAddress.Parse("127.0.0.13"));
        using var dns = LocalDnsServer.Start(LocalDnsServer.A("implicit.example", "127.0.0.13"));

        var result = await DeliverAsync(dns, server.EndPoint.Port, "ana@implicit.example");

        Assert.Equal((Outcome.Delivered, "implicit.example"), (result.Outcome, result.Details.RemoteMx));
    }

    [Fact]
    public async Task Deliver_NullMx_BouncedWithoutConnecting()
    {
        using var dns = LocalDnsServer.Start(LocalDnsServer.Mx("nomail.example", 0, "."));

        var result = await DeliverAsync(dns, 25, "ana@nomail.example");

        Assert.Equal((Outcome.Bounced, "5.1.10"), (result.Outcome, result.Details.EnhancedCode));
    }

    [Fact]
    public async Task Deliver_DomainDoesNotExist_Bounced()
    {
        using var dns = LocalDnsServer.Start(LocalDnsServer.A("other.example", "127.0.0.14"));

        var result = await DeliverAsync(dns, 25, "ana@missing.example");

        Assert.Equal((Outcome.Bounced, "5.1.2"), (result.Outcome, result.Details.EnhancedCode));
    }

    private static async Task<RecipientOutcome> DeliverAsync(LocalDnsServer dns, int smtpPort, string recipient)
    {
        var options = new DeliveryOptions
        {
            SourceAddress = "127.0.0.2",
            AllowPrivateDestinations = true,
            SmtpPort = smtpPort,
            NameServers = [dns.EndPoint.ToString()],
            ConnectTimeout = TimeSpan.FromSeconds(5),
        };
        await using var engine = Engine.Create(options);
        return Assert.Single(await engine.DeliverAsync(Engine.Message(recipient), CancellationToken.None).DefaultTimeout());
    }
}
