using System.Net.Http;
using System.Threading.Channels;
using Grpc.Core;
using Grpc.Net.Client;
using Mesh.Agent.V1;
using Mesh.Delivery;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mesh.Agent;

/// <summary>
/// Holds the outbound link to dispatch: connects, says hello, takes jobs up to its credit and
/// streams results back; reconnects with backoff; on shutdown drains (ARCHITECTURE.md, The agent link).
/// </summary>
public sealed partial class AgentWorker(JobRunner jobs, SmtpDeliverer deliverer, IOptions<AgentOptions> options, IOptions<DeliveryOptions> delivery, ILogger<AgentWorker> logger) : BackgroundService
{
    public const uint ProtocolVersion = 1;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        using var channel = GrpcChannel.ForAddress(o.DispatchUrl!, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler
            {
                // .NET sends no HTTP/2 pings unless asked; they keep NATs open and detect dead links.
                KeepAlivePingDelay = TimeSpan.FromSeconds(20),
                KeepAlivePingTimeout = TimeSpan.FromSeconds(20),
                KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always,
                EnableMultipleHttp2Connections = true,
                ConnectTimeout = TimeSpan.FromSeconds(15),
            },
            MaxReceiveMessageSize = 64 * 1024 * 1024,
        });
        var client = new AgentLink.AgentLinkClient(channel);
        var backoff = new Backoff(o.InitialBackoff, o.MaxBackoff);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunSessionAsync(client, backoff, stoppingToken);
            }
            catch (RpcException e) when (!stoppingToken.IsCancellationRequested)
            {
                Log.LinkFailed(logger, e.StatusCode, e.Status.Detail);
            }

            if (stoppingToken.IsCancellationRequested)
            {
                break;
            }

            try
            {
                await Task.Delay(backoff.Next(), stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    private async Task RunSessionAsync(AgentLink.AgentLinkClient client, Backoff backoff, CancellationToken stoppingToken)
    {
        var o = options.Value;
        using var callCts = new CancellationTokenSource();
        using var call = client.Connect(new Metadata { { "authorization", "Bearer " + o.Token } }, cancellationToken: callCts.Token);
        var outbound = Channel.CreateUnbounded<AgentMessage>(new UnboundedChannelOptions { SingleReader = true });
        outbound.Writer.TryWrite(new AgentMessage
        {
            Hello = new Hello
            {
                ProtocolVersion = ProtocolVersion,
                AgentId = o.AgentId,
                SourceAddresses = { string.IsNullOrEmpty(delivery.Value.SourceAddress) ? [] : new[] { delivery.Value.SourceAddress } },
                Capabilities = { "smtputf8" },
            },
        });
        outbound.Writer.TryWrite(new AgentMessage { Credit = new Credit { MaxInFlight = o.Credits } });
        var writing = WriteAsync(call.RequestStream, outbound.Reader);
        try
        {
            if (!await call.ResponseStream.MoveNext(callCts.Token) || call.ResponseStream.Current.Welcome is not { } welcome)
            {
                throw new RpcException(new Status(StatusCode.Unavailable, "dispatch closed the stream before its welcome"));
            }

            Log.Connected(logger, o.DispatchUrl!, welcome.ProtocolVersion);
            backoff.Reset();
            jobs.Attach(outbound, acknowledgeOnWrite: !welcome.ResultAcks);
            using var heartbeatCts = new CancellationTokenSource();
            var heartbeats = HeartbeatAsync(outbound.Writer, TimeSpan.FromSeconds(Math.Max(1, welcome.HeartbeatSeconds)), heartbeatCts.Token);
            var reading = ReadJobsAsync(call.ResponseStream, callCts.Token);
            var stopping = new TaskCompletionSource();
            await using (stoppingToken.Register(() => stopping.TrySetResult()))
            {
                if (await Task.WhenAny(reading, stopping.Task) == stopping.Task)
                {
                    // Drain: no new jobs; let jobs in flight finish within the grace period,
                    // hand back the rest, then close our side of the stream.
                    outbound.Writer.TryWrite(new AgentMessage { Drain = new Drain() });
                    await jobs.DrainAsync(o.DrainGrace);
                    outbound.Writer.TryComplete();
                    await writing;
                    await reading.WaitAsync(TimeSpan.FromSeconds(10));
                }
            }

            await heartbeatCts.CancelAsync();
            await heartbeats;
            await reading;
        }
        finally
        {
            jobs.Detach(outbound);
            await callCts.CancelAsync();
            await writing.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private async Task WriteAsync(IClientStreamWriter<AgentMessage> stream, ChannelReader<AgentMessage> reader)
    {
        while (await reader.WaitToReadAsync())
        {
            while (reader.TryPeek(out var message))
            {
                try
                {
                    await stream.WriteAsync(message);
                }
                catch (Exception e) when (e is RpcException or IOException or InvalidOperationException or OperationCanceledException)
                {
                    // The stream is gone; unacknowledged results stay in the journal for the next session.
                    Log.WriteFailed(logger, e.Message);
                    return;
                }

                reader.TryRead(out _);
                jobs.Written(message);
            }
        }

        await stream.CompleteAsync();
    }

    private async Task ReadJobsAsync(IAsyncStreamReader<DispatchMessage> stream, CancellationToken ct)
    {
        try
        {
            while (await stream.MoveNext(ct))
            {
                switch (stream.Current.KindCase)
                {
                    case DispatchMessage.KindOneofCase.Job:
                        // The JobAck follows once the job is journaled (JobRunner).
                        jobs.Start(stream.Current.Job);
                        break;
                    case DispatchMessage.KindOneofCase.ResultAck:
                        jobs.Acknowledge(stream.Current.ResultAck.Ref);
                        break;
                    case DispatchMessage.KindOneofCase.ShapingRules:
                        deliverer.ApplyShapingRules(stream.Current.ShapingRules.Rules);
                        Log.ShapingRules(logger, stream.Current.ShapingRules.Rules.Count);
                        break;
                }
            }
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && ct.IsCancellationRequested)
        {
        }
    }

    private async Task HeartbeatAsync(ChannelWriter<AgentMessage> outbound, TimeSpan interval, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                outbound.TryWrite(new AgentMessage { Heartbeat = new Heartbeat { InFlight = { jobs.InFlight } } });
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Applied {Count} shaping rule(s) from the provider")]
        public static partial void ShapingRules(ILogger logger, int count);

        [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Connected to dispatch {Url} (protocol {Version})")]
        public static partial void Connected(ILogger logger, Uri url, uint version);

        [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Link to dispatch failed ({Status}: {Detail}); reconnecting with backoff")]
        public static partial void LinkFailed(ILogger logger, StatusCode status, string detail);

        [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Writing to dispatch failed: {Reason}; unsent results wait for the next session")]
        public static partial void WriteFailed(ILogger logger, string reason);
    }
}
