using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Grpc.Core;
using Grpc.Net.Client;
using Mesh.Admin.V1;
using Mesh.Agent;
using Mesh.AllInOne;
using Mesh.Events.V1;
using Mesh.Gateway.V1;
using Mesh.Loopback;
using Microsoft.Extensions.Hosting;

namespace Mesh.Bench;

/// <summary>
/// N messages through the all-in-one provider and one agent to a loopback sink: throughput, and
/// latency from Send to the delivered event on StreamEvents.
/// </summary>
internal static class PipelineBench
{
    private static readonly string BenchKek = Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes("mesh-bench-kek-not-a-secret-32b!"));

    public static async Task RunAsync(int messages, int concurrency, string? redis)
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "mesh-bench-" + Environment.ProcessId);
        var url = $"http://127.0.0.1:{Stats.FreePort()}";
        var quiet = new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Warning" };
        var settings = AllInOneHost.SelfHostedOn(url);
        settings["Logging:LogLevel:Default"] = "Warning";
        settings["Mesh:Store:DataDir"] = dataDir;
        settings["Mesh:Store:Redis"] = redis;
        settings["Mesh:Gateway:AdminKey"] = "bench";
        // A fixed bench-only KEK, so that reruns against the same --redis pass the sign service's key check.
        settings["Mesh:Sign:KeyEncryptionKey"] = Environment.GetEnvironmentVariable("Mesh__Sign__KeyEncryptionKey") ?? BenchKek;
        var provider = AllInOneHost.Build([], settings);
        await provider.StartAsync();
        using var postfix = PostfixSink.Available ? await PostfixSink.StartAsync() : null;
        var sinkEndpoint = postfix?.EndPoint ?? new IPEndPoint(IPAddress.Loopback, Stats.FreePort());
        await using var fallback = postfix is null ? new LoopbackReceiver(sinkEndpoint) : null;

        using var channel = GrpcChannel.ForAddress(url);
        var admin = new Admin.V1.Admin.AdminClient(channel);
        var adminHeaders = new Metadata { { "authorization", "Bearer bench" } };
        var tenant = await admin.CreateTenantAsync(new CreateTenantRequest { Name = "bench", TestMode = true }, adminHeaders);
        // A fresh domain per run: a reused Redis still holds the domains of earlier runs.
        var domain = $"bench{Environment.ProcessId}.example";
        await admin.AddDomainAsync(new Mesh.Admin.V1.AddDomainRequest { TenantId = tenant.TenantId, Domain = domain }, adminHeaders);
        var key = await admin.CreateApiKeyAsync(new CreateApiKeyRequest { TenantId = tenant.TenantId }, adminHeaders);
        var token = await admin.CreateAgentTokenAsync(new CreateAgentTokenRequest { TenantId = tenant.TenantId }, adminHeaders);
        using var agent = AgentHost.Build([], new Dictionary<string, string?>(quiet)
        {
            ["Agent:DispatchUrl"] = url,
            ["Agent:Token"] = token.Secret,
            ["Agent:Credits"] = "64",
            ["Agent:JournalPath"] = Path.Combine(dataDir, "agent-journal"),
            ["Agent:Policy:AllowedSenderDomains:0"] = domain,
            ["Agent:Delivery:SourceAddress"] = "127.0.0.2",
            ["Agent:Delivery:AllowPrivateDestinations"] = "true",
            ["Agent:Delivery:StaticRoutes:example.net"] = sinkEndpoint.ToString(),
        });
        await agent.StartAsync();

        var mail = new Mail.MailClient(channel);
        var headers = new Metadata { { "authorization", "Bearer " + key.Secret } };
        var sentAt = new ConcurrentDictionary<string, long>();
        var latencies = new ConcurrentQueue<double>();
        var stages = new ConcurrentDictionary<string, Event[]>();
        var done = new TaskCompletionSource();
        var target = Math.Max(20, messages / 10);
        using var events = mail.StreamEvents(new StreamEventsRequest(), headers);
        var watching = Task.Run(async () =>
        {
            await foreach (var evt in events.ResponseStream.ReadAllAsync())
            {
                stages.AddOrUpdate(evt.MessageId, _ => [evt], (_, list) => [.. list, evt]);
                if (evt.Type is EventType.Delivered or EventType.Bounced or EventType.Deferred)
                {
                    var now = Stopwatch.GetTimestamp();
                    while (!sentAt.ContainsKey(evt.MessageId))
                    {
                        await Task.Yield();
                    }

                    latencies.Enqueue(Stopwatch.GetElapsedTime(sentAt[evt.MessageId], now).TotalMilliseconds);
                    if (latencies.Count == target)
                    {
                        done.TrySetResult();
                    }
                }
            }
        });

        var request = new SendRequest
        {
            From = new Address { Email = "news@" + domain, Name = "Bench" },
            Content = new Content
            {
                Subject = "Hello {{name}}, your weekly digest",
                Html = "<html><body><h1>Hi {{name}}</h1>" + string.Concat(Enumerable.Repeat("<p>{{para}} Lorem ipsum dolor sit amet, consectetur adipiscing elit.</p>", 40)) + "</body></html>",
            },
            Variables = new Google.Protobuf.WellKnownTypes.Struct { Fields = { ["para"] = Google.Protobuf.WellKnownTypes.Value.ForString("News:") } },
        };
        // Warm-up (JIT, connections, caches): a tenth of the run, not counted.
        var warmup = Math.Max(20, messages / 10);
        await SendAllAsync(warmup);
        await done.Task.WaitAsync(TimeSpan.FromMinutes(5));
        done = new TaskCompletionSource();
        latencies.Clear();
        stages.Clear();
        target = messages;

        var watch = Stopwatch.StartNew();
        await SendAllAsync(messages);
        var sendSeconds = watch.Elapsed.TotalSeconds;
        await done.Task.WaitAsync(TimeSpan.FromMinutes(5));
        var total = watch.Elapsed.TotalSeconds;

        async Task SendAllAsync(int count)
        {
            var next = -1;
            await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
            {
                int n;
                while ((n = Interlocked.Increment(ref next)) < count)
                {
                    var one = request.Clone();
                    one.To.Add(new Recipient
                    {
                        Address = new Address { Email = $"user{n}@example.net" },
                        Variables = new Google.Protobuf.WellKnownTypes.Struct { Fields = { ["name"] = Google.Protobuf.WellKnownTypes.Value.ForString($"user{n}") } },
                    });
                    var start = Stopwatch.GetTimestamp();
                    var reply = await mail.SendAsync(one, headers);
                    sentAt[reply.Deliveries[0].MessageId] = start;
                }
            }));
        }

        var sorted = latencies.Order().ToList();
        Console.WriteLine($"pipeline  store={(redis is null ? "embedded Garnet" : "redis " + redis)} messages={messages} senders={concurrency} agent credits=64");
        Console.WriteLine($"pipeline  Send accepted:        {messages / sendSeconds,8:F0} msg/s");
        Console.WriteLine($"pipeline  delivered end to end: {messages / total,8:F0} msg/s  (sink: {(postfix is null ? "SmtpServer package" : "Postfix smtp-sink")})");
        Console.WriteLine($"pipeline  Send -> delivered event latency: p50 {Stats.Percentile(sorted, 50):F1} ms, p99 {Stats.Percentile(sorted, 99):F1} ms");

        // Where the time goes, from the events' own timestamps (median over messages).
        double Gap(EventType from, EventType to) => Stats.Median(stages.Values
            .Where(l => l.Any(e => e.Type == from) && l.Any(e => e.Type == to))
            .Select(l => (l.First(e => e.Type == to).Time.ToDateTimeOffset() - l.First(e => e.Type == from).Time.ToDateTimeOffset()).TotalMilliseconds));
        Console.WriteLine($"pipeline  median accepted -> dispatched {Gap(EventType.Accepted, EventType.Dispatched):F1} ms, dispatched -> delivered {Gap(EventType.Dispatched, EventType.Delivered):F1} ms");
        events.Dispose();
        await agent.StopAsync();
        await provider.StopAsync();
        await provider.DisposeAsync();
        Directory.Delete(dataDir, recursive: true);
    }
}
