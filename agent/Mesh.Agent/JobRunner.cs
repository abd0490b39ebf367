using System.Collections.Concurrent;
using System.Threading.Channels;
using Mesh.Agent.Journal;
using Mesh.Agent.Policy;
using Mesh.Agent.V1;
using Mesh.Delivery;
using Mesh.Events.V1;
using Mesh.Schedule.V1;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mesh.Agent;

/// <summary>
/// Runs jobs: local policy first, then the journal's start entry, then delivery, then the journaled
/// result. Results live in the journal until dispatch acknowledges them, so they outlive a broken
/// stream and a crash of the agent, and go out again on every new session until then.
/// </summary>
public sealed partial class JobRunner(SmtpDeliverer deliverer, AgentJournal journal, SendingPolicy policy, IOptions<AgentOptions> options, ILogger<JobRunner> logger)
{
    private readonly ConcurrentDictionary<string, (JobRef Ref, Task Task)> _inFlight = new();
    private readonly SemaphoreSlim _slots = new((int)options.Value.Credits);
    private readonly CancellationTokenSource _abandon = new();
    private readonly Lock _gate = new();
    private Channel<AgentMessage>? _outbound;
    private bool _acknowledgeOnWrite;

    public IReadOnlyCollection<JobRef> InFlight => _inFlight.Values.Select(v => v.Ref).ToList();

    /// <summary>
    /// Attaches a session's outbound channel and sends every result dispatch has not acknowledged.
    /// <paramref name="acknowledgeOnWrite"/> is for a dispatch that sends no ResultAck: a result then
    /// counts as acknowledged once written to the stream.
    /// </summary>
    public void Attach(Channel<AgentMessage> outbound, bool acknowledgeOnWrite)
    {
        lock (_gate)
        {
            _outbound = outbound;
            _acknowledgeOnWrite = acknowledgeOnWrite;
            foreach (var message in journal.Unacknowledged())
            {
                outbound.Writer.TryWrite(message);
            }
        }
    }

    /// <summary>Detaches a finished session. Results it did not deliver stay unacknowledged in the journal.</summary>
    public void Detach(Channel<AgentMessage> outbound)
    {
        lock (_gate)
        {
            if (_outbound == outbound)
            {
                _outbound = null;
            }
        }

        outbound.Writer.TryComplete();
    }

    /// <summary>Dispatch has the result or hand-back of this job.</summary>
    public void Acknowledge(JobRef job) => journal.Acknowledged(job);

    /// <summary>A message was written to the stream; for a dispatch without ResultAck that is the acknowledgement.</summary>
    public void Written(AgentMessage message)
    {
        if (_acknowledgeOnWrite && message.KindCase is AgentMessage.KindOneofCase.Result or AgentMessage.KindOneofCase.HandBack)
        {
            journal.Acknowledged(AgentJournal.RefOf(message));
        }
    }

    /// <summary>
    /// Starts a job unless this (delivery id, attempt) is running or the journal knows it already;
    /// a known result is sent again instead of delivering twice.
    /// </summary>
    public bool Start(Job job)
    {
        if (!journal.TryClaim(job.Ref, out var known))
        {
            Log.Refused(logger, job.Ref.DeliveryId, job.Ref.Attempt);
            if (known is not null)
            {
                Send(known);
            }

            return false;
        }

        var key = JournalRecord.Key(job.Ref);
        var gate = new TaskCompletionSource();
        _inFlight[key] = (job.Ref, gate.Task);
        _inFlight[key] = (job.Ref, RunAsync(key, job, gate.Task));
        gate.SetResult();
        return true;
    }

    /// <summary>Waits up to <paramref name="grace"/> for jobs in flight, then abandons the rest (handed back).</summary>
    public async Task DrainAsync(TimeSpan grace)
    {
        var running = Task.WhenAll(_inFlight.Values.Select(v => v.Task));
        if (await Task.WhenAny(running, Task.Delay(grace)) != running)
        {
            await _abandon.CancelAsync();
            await running;
        }
    }

    private async Task RunAsync(string key, Job job, Task gate)
    {
        await gate;
        var ct = _abandon.Token;
        try
        {
            await _slots.WaitAsync(ct);
            try
            {
                var refusal = policy.Check(job);
                if (refusal is not null)
                {
                    Log.PolicyRefused(logger, job.Ref.DeliveryId, job.Ref.Attempt, refusal);
                    await FinishAsync(Result(job, Outcome.RejectedByAgentPolicy, refusal));
                    return;
                }

                // Durable before the first SMTP byte: after a crash from here on, the job is never delivered again.
                await journal.StartedAsync(job);
                Send(new AgentMessage { Ack = new JobAck { Ref = job.Ref } });
                var results = await deliverer.DeliverAsync(new DeliveryRequest(job.MailFrom, job.RcptTo, job.Mime.ToByteArray(), job.Smtputf8, job.RequireTls), ct);
                var result = new DeliveryResult { Ref = job.Ref };
                result.Recipients.AddRange(results.Select(r => new RecipientResult { Recipient = r.Recipient, Outcome = r.Outcome, Details = r.Details }));
                await FinishAsync(new AgentMessage { Result = result });
            }
            finally
            {
                _slots.Release();
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Draining: the job goes back to dispatch and is requeued at once.
            await FinishAsync(new AgentMessage { HandBack = new HandBack { Ref = job.Ref } });
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // An unexpected failure is reported as a deferral carrying its reason, never dropped.
            Log.JobFailed(logger, e, job.Ref.DeliveryId, job.Ref.Attempt);
            await FinishAsync(Result(job, Outcome.Deferred, "agent error: " + e.Message));
        }
        finally
        {
            _inFlight.TryRemove(key, out _);
        }
    }

    /// <summary>
    /// Journals a result and sends it without waiting for the fsync: the start entry is already
    /// durable, so a crash before the result is would report "possibly delivered" for this attempt,
    /// never deliver it again, and a repeat of a result dispatch has is ignored. This keeps one fsync
    /// off each job's critical path. A journal that cannot be written does not hold the result back.
    /// </summary>
    private async Task FinishAsync(AgentMessage outcome)
    {
        var journaled = journal.FinishedAsync(outcome);
        Send(outcome);
        try
        {
            await journaled;
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            Log.ResultNotJournaled(logger, e, AgentJournal.RefOf(outcome).DeliveryId);
        }
    }

    private void Send(AgentMessage message)
    {
        lock (_gate)
        {
            // Without a session the result waits in the journal; Attach sends it.
            _outbound?.Writer.TryWrite(message);
        }
    }

    private static AgentMessage Result(Job job, Outcome outcome, string reply)
    {
        var result = new DeliveryResult { Ref = job.Ref };
        result.Recipients.AddRange(job.RcptTo.Select(r => new RecipientResult { Recipient = r, Outcome = outcome, Details = new DeliveryDetails { Reply = reply } }));
        return new AgentMessage { Result = result };
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 10, Level = LogLevel.Error, Message = "Job {DeliveryId} attempt {Attempt} failed unexpectedly; reported as deferred")]
        public static partial void JobFailed(ILogger logger, Exception e, string deliveryId, uint attempt);

        [LoggerMessage(EventId = 11, Level = LogLevel.Warning, Message = "Job {DeliveryId} attempt {Attempt} refused by local policy: {Reason}")]
        public static partial void PolicyRefused(ILogger logger, string deliveryId, uint attempt, string reason);

        [LoggerMessage(EventId = 12, Level = LogLevel.Warning, Message = "Job {DeliveryId} attempt {Attempt} is already known to the journal; not delivered again")]
        public static partial void Refused(ILogger logger, string deliveryId, uint attempt);

        [LoggerMessage(EventId = 13, Level = LogLevel.Critical, Message = "The result of {DeliveryId} could not be journaled; it is sent without surviving a crash")]
        public static partial void ResultNotJournaled(ILogger logger, Exception e, string deliveryId);
    }
}
