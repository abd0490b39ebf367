using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Mesh.Agent.V1;
using Mesh.Events.V1;
using Mesh.Schedule.V1;
using Mesh.Store;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mesh.Dispatch;

/// <summary>
/// The dispatch end of the agent link: authenticates the agent token, checks the hello, then
/// leases the tenant's ready jobs to the agent while it has credit and relays its results.
/// </summary>
public sealed partial class AgentLinkService(
    AgentAuthenticator authenticator,
    DeliveryQueue queue,
    TenantSignals signals,
    AgentPresence presence,
    DispatchMetrics metrics,
    Schedule.V1.Schedule.ScheduleClient schedule,
    IOptions<DispatchOptions> options,
    TimeProvider clock,
    IHostApplicationLifetime lifetime,
    ILogger<AgentLinkService> logger) : AgentLink.AgentLinkBase
{
    public override async Task Connect(IAsyncStreamReader<AgentMessage> requestStream, IServerStreamWriter<DispatchMessage> responseStream, ServerCallContext context)
    {
        var identity = await authenticator.AuthenticateAsync(context);
        var o = options.Value;
        var hello = await ReadHelloAsync(requestStream, o.HelloTimeout, context.CancellationToken);
        await responseStream.WriteAsync(new DispatchMessage
        {
            Welcome = new Welcome
            {
                ProtocolVersion = DispatchOptions.ProtocolVersion,
                LeaseSeconds = (uint)o.LeaseDuration.TotalSeconds,
                HeartbeatSeconds = (uint)Math.Max(1, o.HeartbeatInterval.TotalSeconds),
                ResultAcks = true,
            },
        });
        if (o.ShapingRules.Count > 0)
        {
            await responseStream.WriteAsync(new DispatchMessage
            {
                ShapingRules = new ShapingRules
                {
                    Rules =
                    {
                        o.ShapingRules.Select(r => new ShapingRule
                        {
                            MxSuffix = r.MxSuffix.ToLowerInvariant(),
                            MessagesPerMinute = r.MessagesPerMinute,
                            MaxConnections = r.MaxConnections,
                            SuspendSeconds = r.SuspendSeconds,
                        }),
                    },
                },
            });
        }

        var session = new AgentSession(identity.Tenant, hello.AgentId);
        Log.AgentConnected(logger, identity.Tenant, hello.AgentId, string.Join(",", hello.SourceAddresses));
        await signals.RegisterAsync(session);
        await presence.ConnectedAsync(identity.Tenant, new Dispatch.V1.AgentInfo
        {
            AgentId = hello.AgentId,
            SourceAddresses = { hello.SourceAddresses },
            ProtocolVersion = hello.ProtocolVersion,
        });
        metrics.AgentConnected();
        // A stopping host ends the stream; the agent reconnects, to another replica if there is one.
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.ApplicationStopping);
        try
        {
            var writing = WriteLoopAsync(session, responseStream, linked.Token);
            bool closedByAgent;
            try
            {
                closedByAgent = await ReadLoopAsync(session, requestStream, linked.Token);
            }
            finally
            {
                // The agent closed its side (after a drain) or the link failed: stop sending.
                await linked.CancelAsync();
                await writing;
            }

            if (closedByAgent)
            {
                // A drained agent still reads until the call ends: acknowledge its last results, so
                // that it need not send them again after its restart.
                while (session.Acks.TryDequeue(out var recorded))
                {
                    await responseStream.WriteAsync(new DispatchMessage { ResultAck = new ResultAck { Ref = recorded } }, context.CancellationToken);
                }
            }
        }
        finally
        {
            signals.Unregister(session);
            metrics.AgentDisconnected();
            await presence.DisconnectedAsync(identity.Tenant, hello.AgentId);
            // Jobs still held stay leased: the agent may still be delivering them. Their leases
            // end and requeue them unless a reconnected agent reports them first.
            Log.AgentDisconnected(logger, identity.Tenant, hello.AgentId, session.InFlight.Count);
        }
    }

    private static async Task<Hello> ReadHelloAsync(IAsyncStreamReader<AgentMessage> requestStream, TimeSpan timeout, CancellationToken ct)
    {
        using var helloTimeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        helloTimeout.CancelAfter(timeout);
        if (!await requestStream.MoveNext(helloTimeout.Token) || requestStream.Current.KindCase != AgentMessage.KindOneofCase.Hello)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "the first message must be hello"));
        }

        var hello = requestStream.Current.Hello;
        if (hello.ProtocolVersion != DispatchOptions.ProtocolVersion)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition,
                $"agent protocol version {hello.ProtocolVersion} is not supported; this server speaks version {DispatchOptions.ProtocolVersion}"));
        }

        if (string.IsNullOrWhiteSpace(hello.AgentId))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "hello.agent_id is required"));
        }

        return hello;
    }

    private async Task WriteLoopAsync(AgentSession session, IServerStreamWriter<DispatchMessage> responseStream, CancellationToken ct)
    {
        try
        {
            while (!ct.IsCancellationRequested)
            {
                // The agent keeps a result in its journal, and sends it again, until it is acknowledged.
                while (session.Acks.TryDequeue(out var recorded))
                {
                    await responseStream.WriteAsync(new DispatchMessage { ResultAck = new ResultAck { Ref = recorded } }, ct);
                }

                if (session.HasCredit)
                {
                    var deadline = clock.GetUtcNow() + options.Value.LeaseDuration;
                    var dispatched = new Event
                    {
                        Type = EventType.Dispatched,
                        Time = Timestamp.FromDateTimeOffset(clock.GetUtcNow()),
                        Details = new DeliveryDetails { AgentId = session.AgentId },
                    };
                    var lease = await queue.LeaseAsync(session.Tenant, session.AgentId, deadline, dispatched);
                    if (lease is not null)
                    {
                        session.InFlight[lease.Id] = lease.Attempt;
                        metrics.Dispatched();
                        await responseStream.WriteAsync(new DispatchMessage
                        {
                            Job = new Job
                            {
                                Ref = new JobRef { DeliveryId = lease.Id, Attempt = lease.Attempt },
                                MailFrom = lease.From,
                                RcptTo = { lease.Recipient },
                                Mime = Google.Protobuf.UnsafeByteOperations.UnsafeWrap(lease.Mime),
                                LeaseDeadline = Timestamp.FromDateTimeOffset(deadline),
                                Smtputf8 = lease.Smtputf8,
                                RequireTls = lease.RequireTls,
                            },
                        }, ct);
                        continue;
                    }
                }

                await session.WaitAsync(ct);
                if (!session.HasCredit)
                {
                    await ForgetEndedLeasesAsync(session);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// A job whose lease ended (no heartbeat) was requeued; it no longer counts against this
    /// agent's credit, and its late result will be ignored.
    /// </summary>
    private async Task ForgetEndedLeasesAsync(AgentSession session)
    {
        foreach (var (id, attempt) in session.InFlight)
        {
            if (!await queue.IsLeasedAsync(session.Tenant, id, attempt))
            {
                session.InFlight.TryRemove(KeyValuePair.Create(id, attempt));
            }
        }
    }

    /// <summary>Relays the agent's messages; true when the agent completed its side of the stream.</summary>
    private async Task<bool> ReadLoopAsync(AgentSession session, IAsyncStreamReader<AgentMessage> requestStream, CancellationToken ct)
    {
        try
        {
            while (await requestStream.MoveNext(ct))
            {
                var message = requestStream.Current;
                switch (message.KindCase)
                {
                    case AgentMessage.KindOneofCase.Credit:
                        session.SetCredit(message.Credit.MaxInFlight);
                        break;
                    case AgentMessage.KindOneofCase.Heartbeat:
                        var held = message.Heartbeat.InFlight.Select(r => (r.DeliveryId, r.Attempt));
                        await queue.ExtendAsync(session.Tenant, held, clock.GetUtcNow() + options.Value.LeaseDuration);
                        await presence.SeenAsync(session.Tenant, session.AgentId);
                        break;
                    case AgentMessage.KindOneofCase.Result:
                        await ReportAsync(session, message.Result, ct);
                        break;
                    case AgentMessage.KindOneofCase.HandBack:
                        var handBack = message.HandBack.Ref;
                        await schedule.HandBackAsync(new HandBackRequest { TenantId = session.Tenant, DeliveryId = handBack.DeliveryId, Attempt = handBack.Attempt }, cancellationToken: ct);
                        session.Acks.Enqueue(handBack);
                        Release(session, handBack);
                        break;
                    case AgentMessage.KindOneofCase.Drain:
                        session.Drain();
                        break;
                    case AgentMessage.KindOneofCase.Ack:
                        break;
                    default:
                        throw new RpcException(new Status(StatusCode.InvalidArgument, $"unexpected agent message {message.KindCase}"));
                }
            }
        }
        catch (IOException) when (ct.IsCancellationRequested)
        {
            // The agent went away; its leases stay until they end.
            return false;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return false;
        }

        return !ct.IsCancellationRequested;
    }

    private async Task ReportAsync(AgentSession session, DeliveryResult result, CancellationToken ct)
    {
        // One job is one delivery to one recipient, so a job has one recipient result.
        var recipient = result.Recipients.FirstOrDefault()
            ?? throw new RpcException(new Status(StatusCode.InvalidArgument, "a result needs one recipient result"));
        var details = recipient.Details ?? new DeliveryDetails();
        details.AgentId = session.AgentId;
        var reply = await schedule.ReportResultAsync(new ReportResultRequest
        {
            TenantId = session.Tenant,
            DeliveryId = result.Ref.DeliveryId,
            Attempt = result.Ref.Attempt,
            Outcome = recipient.Outcome,
            Details = details,
        }, cancellationToken: ct);
        if (!reply.Applied)
        {
            Log.StaleResult(logger, session.Tenant, result.Ref.DeliveryId, result.Ref.Attempt);
        }

        // Recorded (or a repeat): the agent may forget it.
        session.Acks.Enqueue(result.Ref);
        Release(session, result.Ref);
    }

    private static void Release(AgentSession session, JobRef job)
    {
        // Only this attempt: a late result of an ended lease must not free the slot of its successor.
        session.InFlight.TryRemove(KeyValuePair.Create(job.DeliveryId, job.Attempt));
        session.Wake();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Agent {AgentId} of tenant {Tenant} connected from sources {Sources}")]
        public static partial void AgentConnected(ILogger logger, string tenant, string agentId, string sources);

        [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Agent {AgentId} of tenant {Tenant} disconnected with {InFlight} job(s) still leased")]
        public static partial void AgentDisconnected(ILogger logger, string tenant, string agentId, int inFlight);

        [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Tenant {Tenant}: result for delivery {Id} attempt {Attempt} was a repeat or stale; ignored")]
        public static partial void StaleResult(ILogger logger, string tenant, string id, uint attempt);
    }
}
