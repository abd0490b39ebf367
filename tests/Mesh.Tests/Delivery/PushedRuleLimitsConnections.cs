using System.Net;
using Mesh.Agent.V1;
using Mesh.Schedule.V1;
using Mesh.Tests.Infrastructure;

namespace Mesh.Tests.Delivery;

/// <summary>A rule pushed by the provider tightens the agent's limits for the sites it names.</summary>
public sealed class PushedRuleLimitsConnections
{
    [Fact]
    public async Task Deliver_PushedMaxConnectionsOne_SiteNeverSeesTwoSessionsAtOnce()
    {
        await using var server = RawSmtpServer.Start(IPAddress.Loopback);
        await using var engine = Engine.For(server.EndPoint, maxConnections: 10);
        engine.ApplyShapingRules([new ShapingRule { MxSuffix = "127.0.0.1", MaxConnections = 1 }, new ShapingRule { MxSuffix = "elsewhere.example", MaxConnections = 5 }]);

        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => engine.DeliverAsync(Engine.Message(), CancellationToken.None))).DefaultTimeout();

        Assert.All(results, r => Assert.Equal(Outcome.Delivered, Assert.Single(r).Outcome));
        Assert.Equal(1, server.MaxConcurrentSessions);
        Assert.Equal(6, server.MessagesAccepted);
    }
}
