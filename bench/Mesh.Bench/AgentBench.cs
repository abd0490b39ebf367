using System.Diagnostics;
using Mesh.Delivery;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Mesh.Bench;

/// <summary>
/// The agent's delivery engine (SmtpDeliverer: NoDelay sockets from 127.0.0.2, pooled connections,
/// one job per message) to Postfix's smtp-sink, with 1 and 8 jobs in flight, against smtp-source
/// with 1 and 8 sessions in the same rounds. Reports peak RSS of this process.
/// </summary>
internal static class AgentBench
{
    public static async Task RunAsync(int rounds, int messages)
    {
        if (!PostfixSink.Available)
        {
            Console.WriteLine("agent  skipped: install postfix for smtp-sink and smtp-source");
            return;
        }

        using var sink = await PostfixSink.StartAsync();
        var options = Options.Create(new DeliveryOptions
        {
            SourceAddress = "127.0.0.2",
            EhloName = "agent.bench",
            AllowPrivateDestinations = true,
            StaticRoutes = new(StringComparer.OrdinalIgnoreCase) { ["example.net"] = sink.EndPoint.ToString() },
        });
        await using var engine = new SmtpDeliverer(new DnsMailRouter(options), options, TimeProvider.System, NullLogger<SmtpDeliverer>.Instance);
        var mime = System.Text.Encoding.ASCII.GetBytes(Stats.AgentMessage);

        var engine1 = new List<double>();
        var engine8 = new List<double>();
        var source1 = new List<double>();
        var source8 = new List<double>();
        for (var r = 0; r < rounds; r++)
        {
            engine1.Add(await RateAsync(engine, mime, messages, inFlight: 1));
            engine8.Add(await RateAsync(engine, mime, messages, inFlight: 8));
            source1.Add(await sink.SmtpSourceRateAsync(messages, 1));
            source8.Add(await sink.SmtpSourceRateAsync(messages, 8));
        }

        var peakRss = Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024.0);
        Console.WriteLine($"agent  engine, 1 job in flight:  {Stats.Median(engine1),8:F0} msg/s   smtp-source 1 session:  {Stats.Median(source1),8:F0} msg/s   ratio {Stats.Median(engine1) / Stats.Median(source1):F2}");
        Console.WriteLine($"agent  engine, 8 jobs in flight: {Stats.Median(engine8),8:F0} msg/s   smtp-source 8 sessions: {Stats.Median(source8),8:F0} msg/s   ratio {Stats.Median(engine8) / Stats.Median(source8):F2}");
        Console.WriteLine($"agent  medians of {rounds} rounds of {messages} messages (~4 KB); peak RSS of the bench process {peakRss:F0} MiB");
    }

    private static async Task<double> RateAsync(SmtpDeliverer engine, byte[] mime, int messages, int inFlight)
    {
        var next = -1;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, inFlight).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) < messages)
            {
                var results = await engine.DeliverAsync(new DeliveryRequest("news@bench.example", ["user@example.net"], mime), CancellationToken.None);
                if (results[0].Outcome != Mesh.Schedule.V1.Outcome.Delivered)
                {
                    throw new InvalidOperationException("not delivered: " + results[0].Details.Reply);
                }
            }
        }));
        return messages / watch.Elapsed.TotalSeconds;
    }
}
