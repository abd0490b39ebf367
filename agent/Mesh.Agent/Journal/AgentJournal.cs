using System.Collections.Concurrent;
using System.Threading.Channels;
using Google.Protobuf;
using Mesh.Agent.Policy;
using Mesh.Agent.V1;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mesh.Agent.Journal;

/// <summary>
/// The agent's local journal (ARCHITECTURE.md, The agent link): an append-only, fsync'd file that
/// records each job before delivery begins, each result once known, and each acknowledgement by
/// dispatch. At start it is read back: results never acknowledged are sent again, a job started
/// without a result becomes "possibly delivered", and no known (delivery id, attempt) is delivered
/// again. One process owns a journal folder at a time (journal.lock).
/// </summary>
public sealed partial class AgentJournal : IDisposable
{
    public const string FileName = "journal.jsonl";
    private const string LockName = "journal.lock";

    private readonly ConcurrentDictionary<string, JournalRecord> _jobs = new();
    private readonly Channel<Pending> _appends = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly AgentOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger<AgentJournal> _logger;
    private readonly FileStream _lock;
    private readonly string _path;
    private readonly Task _writer;
    private FileStream _file;
    private long _threshold;

    public AgentJournal(IOptions<AgentOptions> options, TimeProvider clock, ILogger<AgentJournal> logger)
    {
        _options = options.Value;
        _clock = clock;
        _logger = logger;
        Folder = _options.JournalFolder;
        Directory.CreateDirectory(Folder);
        _path = Path.Combine(Folder, FileName);
        try
        {
            _lock = new FileStream(Path.Combine(Folder, LockName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            throw new InvalidOperationException($"the journal folder {Folder} is in use by another agent process; give each agent its own folder", e);
        }

        try
        {
            _file = Recover();
        }
        catch
        {
            // A journal that cannot be read must not keep the folder locked.
            _lock.Dispose();
            throw;
        }

        _threshold = Math.Max(_options.JournalCompactBytes, 2 * _file.Length);
        _writer = Task.Run(WriteLoopAsync);
    }

    public string Folder { get; }

    /// <summary>Messages sent in the current hour and day, rebuilt from the journal.</summary>
    public SendCounters Counters { get; } = new();

    /// <summary>The size of the journal file now.</summary>
    public long Length => new FileInfo(_path).Length;

    /// <summary>
    /// Claims a (delivery id, attempt) for delivery. False when the journal already knows it; then
    /// <paramref name="known"/> is its result or hand-back if it has one (null while it still runs).
    /// </summary>
    public bool TryClaim(JobRef job, out AgentMessage? known)
    {
        var record = new JournalRecord(job.Clone()) { State = JobState.Claimed, Changed = _clock.GetUtcNow() };
        if (_jobs.TryAdd(JournalRecord.Key(job), record))
        {
            known = null;
            return true;
        }

        var existing = _jobs[JournalRecord.Key(job)];
        lock (existing)
        {
            known = existing.Outcome;
        }

        return false;
    }

    /// <summary>Records, durably, that delivery of a claimed job begins now.</summary>
    public Task StartedAsync(Job job)
    {
        var now = _clock.GetUtcNow();
        var record = Record(job.Ref);
        var recipients = job.RcptTo.ToArray();
        lock (record)
        {
            record.State = JobState.Started;
            record.Recipients = recipients;
            record.Changed = now;
        }

        return Append(new JournalEntry { Kind = JournalEntry.Start, At = now, DeliveryId = job.Ref.DeliveryId, Attempt = job.Ref.Attempt, Recipients = recipients });
    }

    /// <summary>Records, durably, a job's result or hand-back; it stays unacknowledged until dispatch has it.</summary>
    public Task FinishedAsync(AgentMessage outcome)
    {
        var job = RefOf(outcome);
        var now = _clock.GetUtcNow();
        var record = _jobs.GetOrAdd(JournalRecord.Key(job), _ => new JournalRecord(job.Clone()));
        lock (record)
        {
            record.State = JobState.Finished;
            record.Outcome = outcome;
            record.Changed = now;
        }

        return Append(new JournalEntry { Kind = JournalEntry.Done, At = now, DeliveryId = job.DeliveryId, Attempt = job.Attempt, Message = outcome.ToByteArray() });
    }

    /// <summary>Records that dispatch has the result. Not waited for: a lost acknowledgement only sends the result again.</summary>
    public void Acknowledged(JobRef job)
    {
        if (!_jobs.TryGetValue(JournalRecord.Key(job), out var record))
        {
            return;
        }

        var now = _clock.GetUtcNow();
        lock (record)
        {
            if (record.State != JobState.Finished)
            {
                return;
            }

            record.State = JobState.Acknowledged;
            record.Changed = now;
        }

        // Refused only once the journal is disposed (shutting down): the result is then sent again after the restart.
        _appends.Writer.TryWrite(new Pending(Line(new JournalEntry { Kind = JournalEntry.Ack, At = now, DeliveryId = job.DeliveryId, Attempt = job.Attempt }), null));
    }

    /// <summary>Results and hand-backs that dispatch has not acknowledged yet, oldest first.</summary>
    public IReadOnlyList<AgentMessage> Unacknowledged()
    {
        var pending = new List<(DateTimeOffset At, AgentMessage Outcome)>();
        foreach (var record in _jobs.Values)
        {
            lock (record)
            {
                if (record.State == JobState.Finished && record.Outcome is not null)
                {
                    pending.Add((record.Changed, record.Outcome));
                }
            }
        }

        return pending.OrderBy(p => p.At).Select(p => p.Outcome).ToList();
    }

    public void Dispose()
    {
        _appends.Writer.TryComplete();
        _writer.GetAwaiter().GetResult();
        _file.Dispose();
        _lock.Dispose();
    }

    internal static JobRef RefOf(AgentMessage outcome) => outcome.KindCase switch
    {
        AgentMessage.KindOneofCase.Result => outcome.Result.Ref,
        AgentMessage.KindOneofCase.HandBack => outcome.HandBack.Ref,
        _ => throw new ArgumentException($"only results and hand-backs are journaled, not {outcome.KindCase}", nameof(outcome)),
    };

    private JournalRecord Record(JobRef job) =>
        _jobs.GetOrAdd(JournalRecord.Key(job), _ => new JournalRecord(job.Clone()));

    private sealed record Pending(byte[] Line, TaskCompletionSource? Written);

    private static partial class Log
    {
        [LoggerMessage(EventId = 30, Level = LogLevel.Information, Message = "Journal {Path}: {Unacknowledged} result(s) to report, {Interrupted} interrupted job(s) reported as possibly delivered")]
        public static partial void Recovered(ILogger logger, string path, int unacknowledged, int interrupted);

        [LoggerMessage(EventId = 31, Level = LogLevel.Warning, Message = "Journal {Path}: dropped a torn last entry of {Bytes} byte(s) (a crash during a write)")]
        public static partial void TornTail(ILogger logger, string path, long bytes);

        [LoggerMessage(EventId = 32, Level = LogLevel.Information, Message = "Journal compacted from {Before} to {After} bytes ({Live} live job(s))")]
        public static partial void Compacted(ILogger logger, long before, long after, int live);

        [LoggerMessage(EventId = 33, Level = LogLevel.Critical, Message = "Journal write failed; jobs cannot start until it works again")]
        public static partial void WriteFailed(ILogger logger, Exception e);
    }
}
