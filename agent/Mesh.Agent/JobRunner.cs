using System.Collections.Concurrent;
using System.Threading.Channels;
using Mesh.Agent.V1;
using Mesh.Delivery;
using Mesh.Events.V1;
using Mesh.Schedule.V1;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mesh.Agent;

/// <summary>
/// Runs jobs and keeps their results until a link session has sent them. Jobs outlive a
/// broken stream: their results wait here and go out on the next session, where dispatch
/// still accepts them while the lease (same attempt) holds.
/// </summary>
public sealed partial class JobRunner(SmtpDeliverer deliverer, IOptions<AgentOptions> options, ILogger<JobRunner> logger)
{
    private readonly ConcurrentDictionary<string, (JobRef Ref, Task Task)> _inFlight = new();
    private readonly ConcurrentQueue<AgentMessage> _unsent = new();
    private readonly SemaphoreSlim _slots = new((int)options.Value.Credits);
    private readonly CancellationTokenSource _abandon = new();
    private Channel<AgentMessage>? _outbound;

    public IReadOnlyCollection<JobRef> InFlight => _inFlight.Values.Select(v => v.Ref).ToList();

    /// <summary>Attaches a session's outbound channel and replays results no session has sent yet.</summary>
    public void Attach(Channel<AgentMessage> outbound)
    {
        while (_unsent.TryDequeue(out var message))
        {
            outbound.Writer.TryWrite(message);
        }

        _outbound = outbound;
    }

    /// <summary>Detaches a finished session; results it did not write wait for the next one.</summary>
    public void Detach(Channel<AgentMessage> outbound)
    {
        Interlocked.CompareExchange(ref _outbound, null, outbound);
        outbound.Writer.TryComplete();
        while (outbound.Reader.TryRead(out var message))
        {
            Keep(message);
        }
    }

    /// <summary>A result a session could not write goes back to wait for the next session.</summary>
    public void Keep(AgentMessage message)
    {
        if (message.KindCase is AgentMessage.KindOneofCase.Result or AgentMessage.KindOneofCase.HandBack)
        {
            _unsent.Enqueue(message);
        }
    }

    /// <summary>Starts a job unless the same (delivery id, attempt) is already running.</summary>
    public bool Start(Job job)
    {
        var key = $"{job.Ref.DeliveryId}/{job.Ref.Attempt}";
        var gate = new TaskCompletionSource();
        if (!_inFlight.TryAdd(key, (job.Ref, gate.Task)))
        {
            return false;
        }

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
                var results = await deliverer.DeliverAsync(new DeliveryRequest(job.MailFrom, job.RcptTo, job.Mime.ToByteArray()), ct);
                var result = new DeliveryResult { Ref = job.Ref };
                result.Recipients.AddRange(results.Select(r => new RecipientResult { Recipient = r.Recipient, Outcome = r.Outcome, Details = r.Details }));
                Post(new AgentMessage { Result = result });
            }
            finally
            {
                _slots.Release();
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Draining: the job goes back to dispatch and is requeued at once.
            Post(new AgentMessage { HandBack = new HandBack { Ref = job.Ref } });
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // An unexpected failure is reported as a deferral carrying its reason, never dropped.
            Log.JobFailed(logger, e, job.Ref.DeliveryId, job.Ref.Attempt);
            var result = new DeliveryResult { Ref = job.Ref };
            result.Recipients.AddRange(job.RcptTo.Select(r => new RecipientResult
            {
                Recipient = r,
                Outcome = Outcome.Deferred,
                Details = new DeliveryDetails { Reply = "agent error: " + e.Message },
            }));
            Post(new AgentMessage { Result = result });
        }
        finally
        {
            _inFlight.TryRemove(key, out _);
        }
    }

    private void Post(AgentMessage message)
    {
        var outbound = _outbound;
        if (outbound is null || !outbound.Writer.TryWrite(message))
        {
            _unsent.Enqueue(message);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 10, Level = LogLevel.Error, Message = "Job {DeliveryId} attempt {Attempt} failed unexpectedly; reported as deferred")]
        public static partial void JobFailed(ILogger logger, Exception e, string deliveryId, uint attempt);
    }
}
