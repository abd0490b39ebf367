using System.Net;
using Mesh.Schedule.V1;
using Mesh.Tests.Infrastructure;

namespace Mesh.Tests.Delivery;

/// <summary>Jobs to one destination reuse its connections and never open more than the per-destination limit.</summary>
public sealed class ConnectionReuseAndLimit
{
    [Fact]
    public async Task Deliver_ManyJobsInParallel_ReusesAtMostLimitConnections()
    {
        await using var server = RawSmtpServer.Start(IPAddress.Loopback);
        await using var engine = Engine.For(server.EndPoint, maxConnections: 2);

        var results = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => engine.DeliverAsync(Engine.Message(), CancellationToken.None))).DefaultTimeout();

        Assert.All(results, r => Assert.Equal(Outcome.Delivered, Assert.Single(r).Outcome));
        Assert.Equal(12, server.MessagesAccepted);
        Assert.InRange(server.MaxConcurrentSessions, 1, 2);
        Assert.InRange(server.Sessions, 1, 2);
    }
}
