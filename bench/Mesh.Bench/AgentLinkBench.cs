using System.Diagnostics;
using System.Net;
using Google.Protobuf;
using Grpc.Core;
using Mesh.Agent;
using Mesh.Agent.V1;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Mesh.Bench;

/// <summary>
/// One whole agent (gRPC link, credits, journal with fsync, policy, delivery engine) fed by a
/// minimal dispatch that hands out pre-signed jobs as fast as credit allows, delivering to
/// Postfix's smtp-sink over 1 or 8 connections (Agent:Delivery:MaxConnectionsPerDestination),
/// against smtp-source with as many sessions.
/// </summary>
internal static class AgentLinkBench
{
    public static async Task RunAsync(int rounds, int messages)
    {
        if (!PostfixSink.Available)
        {
            Console.WriteLine("agentlink  skipped: install postfix for smtp-sink and smtp-source");
            return;
        }

        using var sink = await PostfixSink.StartAsync();
        var mime = ByteString.CopyFromUtf8(Stats.AgentMessage);
        foreach (var (connections, credits) in new[] { (1, 1), (1, 32), (8, 8), (8, 32) })
        {
            var agent = new List<double>();
            var source = new List<double>();
            for (var r = 0; r < rounds; r++)
            {
                agent.Add(await RateAsync(sink, mime, messages, credits, connections));
                source.Add(await sink.SmtpSourceRateAsync(messages, connections));
            }

            Console.WriteLine($"agentlink  {connections} connection(s), credits {credits,2}: agent {Stats.Median(agent),7:F0} msg/s   smtp-source {connections} session(s) {Stats.Median(source),7:F0} msg/s   ratio {Stats.Median(agent) / Stats.Median(source):F2}");
        }

        Console.WriteLine($"agentlink  medians of {rounds} rounds of {messages} messages; peak RSS of the bench process (dispatch stub + agent) {Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024.0):F0} MiB");
    }

    private static async Task<double> RateAsync(PostfixSink sink, ByteString mime, int messages, int credits, int connections)
    {
        var port = Stats.FreePort();
        var dispatch = new StubDispatch(mime, messages);
        var builder = WebApplication.CreateSlimBuilder();
        ((Microsoft.Extensions.Configuration.IConfigurationBuilder)builder.Configuration).Sources.Clear();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port, l => l.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(dispatch);
        var app = builder.Build();
        app.MapGrpcService<StubDispatch>();
        await app.StartAsync();

        var journal = Path.Combine(Path.GetTempPath(), "mesh-bench-journal-" + Guid.NewGuid().ToString("N"));
        using var host = AgentHost.Build([], new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Warning",
            ["Agent:DispatchUrl"] = $"http://127.0.0.1:{port}",
            ["Agent:Token"] = "bench",
            ["Agent:Credits"] = credits.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Agent:JournalPath"] = journal,
            ["Agent:Policy:AllowedSenderDomains:0"] = "bench.example",
            ["Agent:Delivery:SourceAddress"] = "127.0.0.2",
            ["Agent:Delivery:MaxConnectionsPerDestination"] = connections.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Agent:Delivery:AllowPrivateDestinations"] = "true",
            ["Agent:Delivery:StaticRoutes:example.net"] = sink.EndPoint.ToString(),
        });
        await host.StartAsync();
        var seconds = await dispatch.Done.WaitAsync(TimeSpan.FromMinutes(5));
        await host.StopAsync();
        await app.StopAsync();
        await app.DisposeAsync();
        Directory.Delete(journal, recursive: true);
        return messages / seconds;
    }

    /// <summary>Keeps the agent's credit full of jobs and times the results.</summary>
    private sealed class StubDispatch(ByteString mime, int messages) : AgentLink.AgentLinkBase
    {
        private readonly TaskCompletionSource<double> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<double> Done => _done.Task;

        public override async Task Connect(IAsyncStreamReader<AgentMessage> requestStream, IServerStreamWriter<DispatchMessage> responseStream, ServerCallContext context)
        {
            var ct = context.CancellationToken;
            await requestStream.MoveNext(ct);
            await responseStream.WriteAsync(new DispatchMessage { Welcome = new Welcome { ProtocolVersion = 1, LeaseSeconds = 300, HeartbeatSeconds = 30, ResultAcks = true } }, ct);
            var sent = 0;
            var delivered = 0;
            var watch = Stopwatch.StartNew();
            while (await requestStream.MoveNext(ct))
            {
                var message = requestStream.Current;
                if (message.Credit is { } credit)
                {
                    while (sent < Math.Min(credit.MaxInFlight, messages))
                    {
                        await responseStream.WriteAsync(Job(++sent), ct);
                    }
                }
                else if (message.Result is { } result)
                {
                    await responseStream.WriteAsync(new DispatchMessage { ResultAck = new ResultAck { Ref = result.Ref } }, ct);
                    if (++delivered == messages)
                    {
                        _done.TrySetResult(watch.Elapsed.TotalSeconds);
                    }
                    else if (sent < messages)
                    {
                        await responseStream.WriteAsync(Job(++sent), ct);
                    }
                }
            }
        }

        private DispatchMessage Job(int n) => new()
        {
            Job = new Job { Ref = new JobRef { DeliveryId = $"bench-{n}", Attempt = 1 }, MailFrom = "news@bench.example", RcptTo = { "user@example.net" }, Mime = mime },
        };
    }
}
