using System.Net;
using Mesh.Delivery;
using Mesh.Schedule.V1;
using Mesh.Tests.Infrastructure;

namespace Mesh.Tests.Delivery;

/// <summary>The engine binds an IPv6 source address too, and reports timings with every result.</summary>
public sealed class Ipv6Source
{
    [Fact]
    public async Task Deliver_FromIpv6Source_ToIpv6Server_ReportsSourceAndTimings()
    {
        await using var server = RawSmtpServer.Start(IPAddress.IPv6Loopback);
        var options = new DeliveryOptions
        {
            SourceAddress = "::1",
            AllowPrivateDestinations = true,
            StaticRoutes = new(StringComparer.OrdinalIgnoreCase) { ["example.net"] = server.EndPoint.ToString() },
        };
        await using var engine = Engine.Create(options);

        var watch = System.Diagnostics.Stopwatch.StartNew();
        var result = Assert.Single(await engine.DeliverAsync(Engine.Message(), CancellationToken.None).DefaultTimeout());
        var elapsedMs = watch.Elapsed.TotalMilliseconds;

        Assert.Equal(Outcome.Delivered, result.Outcome);
        Assert.Equal(("::1", "::1"), (result.Details.SourceIp, result.Details.RemoteIp));
        // Timings are milliseconds within the call (not ticks, not wall-clock stamps).
        Assert.InRange(result.Details.ConnectMs + result.Details.TransactionMs, 0, elapsedMs + 1);
        Assert.Equal(1, server.MessagesAccepted);
    }
}
