using System.Diagnostics;
using System.Net;
using Mesh.Delivery;
using Mesh.Schedule.V1;
using Mesh.Tests.Infrastructure;

namespace Mesh.Tests.Delivery;

/// <summary>A messages-per-minute limit spaces a site's messages evenly, whatever the jobs in flight.</summary>
public sealed class SitePacing
{
    [Fact]
    public async Task Deliver_MessagesPerMinuteLimit_SpacesSends()
    {
        await using var server = RawSmtpServer.Start(IPAddress.Loopback);
        await using var engine = Engine.For(server.EndPoint, shaping: new ShapingOptions { MessagesPerMinute = 600 });

        var watch = Stopwatch.StartNew();
        var results = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => engine.DeliverAsync(Engine.Message(), CancellationToken.None))).DefaultTimeout();

        Assert.All(results, r => Assert.Equal(Outcome.Delivered, Assert.Single(r).Outcome));
        // 600 a minute is one per 100 ms: five messages need at least four intervals.
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(380), $"five messages went in {watch.Elapsed.TotalMilliseconds} ms");
    }
}
