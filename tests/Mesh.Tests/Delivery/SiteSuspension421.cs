using System.Diagnostics;
using System.Net;
using Mesh.Delivery;
using Mesh.Schedule.V1;
using Mesh.Tests.Infrastructure;

namespace Mesh.Tests.Delivery;

/// <summary>
/// A 421 suspends the site (the MX rollup: every domain routed to the same hosts) for the back-off
/// period; the next jobs for it wait out the suspension and are then delivered, instead of failing.
/// </summary>
public sealed class SiteSuspension421
{
    [Fact]
    public async Task Deliver_After421_SiteJobsWaitThenDeliver()
    {
        var first = 0;
        await using var server = RawSmtpServer.Start(IPAddress.Loopback)
            .Reply(SmtpPhase.Rcpt, "421 4.7.0 Too many connections, slow down", when: _ => Interlocked.Increment(ref first) == 1);
        var suspension = TimeSpan.FromMilliseconds(600);
        await using var engine = Engine.For(server.EndPoint, shaping: new ShapingOptions { SuspendFor = suspension });

        var refused = Assert.Single(await engine.DeliverAsync(Engine.Message("ana@example.net"), CancellationToken.None).DefaultTimeout());
        var watch = Stopwatch.StartNew();
        var sameDomain = engine.DeliverAsync(Engine.Message("bob@example.net"), CancellationToken.None);
        var sameSite = engine.DeliverAsync(Engine.Message("cid@example.org"), CancellationToken.None);
        var results = (await Task.WhenAll(sameDomain, sameSite).DefaultTimeout()).Select(r => Assert.Single(r)).ToList();

        Assert.Equal((Outcome.Deferred, 421u), (refused.Outcome, refused.Details.SmtpCode));
        Assert.All(results, r => Assert.Equal(Outcome.Delivered, r.Outcome));
        Assert.True(watch.Elapsed >= suspension - TimeSpan.FromMilliseconds(100), $"the site's jobs went after {watch.Elapsed.TotalMilliseconds} ms");
        Assert.Equal(2, server.MessagesAccepted);
    }
}
