using System.Text.Json;
using Google.Protobuf;
using Mesh.Agent.V1;
using Mesh.Events.V1;
using Mesh.Schedule.V1;

namespace Mesh.Agent.Journal;

public sealed partial class AgentJournal
{
    internal const string InterruptedReply =
        "the agent stopped while delivering this job (journaled as started, with no result, at restart); "
        + "the message may have been delivered, so it is not delivered again";

    /// <summary>Reads the journal back, drops a torn last entry, and turns interrupted jobs into results.</summary>
    private FileStream Recover()
    {
        var file = new FileStream(_path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        try
        {
            return Recover(file);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    private FileStream Recover(FileStream file)
    {
        var bytes = new byte[file.Length];
        file.ReadExactly(bytes);
        var good = 0;
        while (good < bytes.Length)
        {
            var newline = Array.IndexOf(bytes, (byte)'\n', good);
            var entry = newline < 0 ? null : Parse(bytes.AsSpan(good, newline - good));
            if (entry is null)
            {
                // Appends are fsync'd in order, so only the end can be torn by a crash. A bad entry
                // followed by good ones is damage we cannot reason about: refuse to start.
                if (newline >= 0 && HasEntryAfter(bytes, newline + 1))
                {
                    throw new InvalidDataException($"the journal {_path} is damaged at byte {good}; move it aside only if you accept that its jobs may be delivered again");
                }

                break;
            }

            Apply(entry);
            good = newline + 1;
        }

        if (good < bytes.Length)
        {
            Log.TornTail(_logger, _path, bytes.Length - good);
            file.SetLength(good);
        }

        file.Seek(0, SeekOrigin.End);
        var interrupted = 0;
        var now = _clock.GetUtcNow();
        foreach (var record in _jobs.Values.Where(r => r.State == JobState.Started))
        {
            // Started, no result: the crash came during delivery, perhaps after the end of DATA.
            // Reported as possibly delivered (ARCHITECTURE.md: never retried blindly).
            var result = new DeliveryResult { Ref = record.Ref };
            result.Recipients.AddRange(record.Recipients.Select(r => new RecipientResult
            {
                Recipient = r,
                Outcome = Outcome.PossiblyDelivered,
                Details = new DeliveryDetails { Reply = InterruptedReply },
            }));
            record.Outcome = new AgentMessage { Result = result };
            record.State = JobState.Finished;
            record.Changed = now;
            file.Write(Line(new JournalEntry { Kind = JournalEntry.Done, At = now, DeliveryId = record.Ref.DeliveryId, Attempt = record.Ref.Attempt, Message = record.Outcome.ToByteArray() }));
            interrupted++;
        }

        file.Flush(flushToDisk: true);
        Log.Recovered(_logger, _path, _jobs.Values.Count(r => r.State == JobState.Finished), interrupted);
        return file;
    }

    private void Apply(JournalEntry entry)
    {
        if (entry.Kind == JournalEntry.Counters)
        {
            Counters.Restore(new Policy.CounterSnapshot(entry.Hour, entry.HourCount, entry.Day, entry.DayCount));
            return;
        }

        var job = new JobRef { DeliveryId = entry.DeliveryId, Attempt = entry.Attempt };
        var record = Record(job);
        switch (entry.Kind)
        {
            case JournalEntry.Start:
                record.Recipients = entry.Recipients ?? [];
                Counters.Add(entry.At, record.Recipients.Length);
                if (record.State is JobState.Claimed)
                {
                    record.State = JobState.Started;
                    record.Changed = entry.At;
                }

                break;
            case JournalEntry.Done:
                record.Outcome = AgentMessage.Parser.ParseFrom(entry.Message);
                if (record.State != JobState.Acknowledged)
                {
                    record.State = JobState.Finished;
                    record.Changed = entry.At;
                }

                break;
            case JournalEntry.Ack when record.Outcome is not null:
                record.State = JobState.Acknowledged;
                record.Changed = entry.At;
                break;
        }
    }

    private static JournalEntry? Parse(ReadOnlySpan<byte> line)
    {
        try
        {
            var entry = JsonSerializer.Deserialize(line, JournalJson.Default.JournalEntry);
            return entry switch
            {
                null => null,
                { Kind: JournalEntry.Counters } => entry,
                { Kind: JournalEntry.Start or JournalEntry.Ack, DeliveryId: not null } => entry,
                { Kind: JournalEntry.Done, DeliveryId: not null, Message: { } message } => Valid(message) ? entry : null,
                _ => null,
            };
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static bool Valid(byte[] message)
    {
        try
        {
            return AgentMessage.Parser.ParseFrom(message).KindCase is AgentMessage.KindOneofCase.Result or AgentMessage.KindOneofCase.HandBack;
        }
        catch (InvalidProtocolBufferException)
        {
            return false;
        }
    }

    private static bool HasEntryAfter(byte[] bytes, int from)
    {
        while (from < bytes.Length)
        {
            var newline = Array.IndexOf(bytes, (byte)'\n', from);
            if (newline < 0)
            {
                return false;
            }

            if (Parse(bytes.AsSpan(from, newline - from)) is not null)
            {
                return true;
            }

            from = newline + 1;
        }

        return false;
    }

    private static byte[] Line(JournalEntry entry)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(entry, JournalJson.Default.JournalEntry);
        var line = new byte[json.Length + 1];
        json.CopyTo(line, 0);
        line[^1] = (byte)'\n';
        return line;
    }
}
