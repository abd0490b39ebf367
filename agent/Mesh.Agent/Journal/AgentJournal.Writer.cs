namespace Mesh.Agent.Journal;

public sealed partial class AgentJournal
{
    /// <summary>Queues an entry; the task completes once it is on disk.</summary>
    private Task Append(JournalEntry entry)
    {
        var written = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return _appends.Writer.TryWrite(new Pending(Line(entry), written))
            ? written.Task
            : Task.FromException(new ObjectDisposedException(nameof(AgentJournal)));
    }

    /// <summary>
    /// The single writer. Group commit: whatever is queued is written and then fsync'd once
    /// (FileStream.Flush(true)), and only then are the callers released. Compaction runs here
    /// too, between batches, so no append can interleave with it.
    /// </summary>
    private async Task WriteLoopAsync()
    {
        var batch = new List<Pending>();
        var reader = _appends.Reader;
        while (await reader.WaitToReadAsync())
        {
            while (batch.Count < 1024 && reader.TryRead(out var pending))
            {
                batch.Add(pending);
            }

            var start = _file.Position;
            try
            {
                foreach (var pending in batch)
                {
                    _file.Write(pending.Line);
                }

                _file.Flush(flushToDisk: true);
            }
            catch (IOException e)
            {
                Log.WriteFailed(_logger, e);
                TruncateTo(start);
                foreach (var pending in batch)
                {
                    pending.Written?.TrySetException(e);
                }

                batch.Clear();
                continue;
            }

            foreach (var pending in batch)
            {
                pending.Written?.TrySetResult();
            }

            batch.Clear();
            if (_file.Length > _threshold)
            {
                Compact();
            }
        }
    }

    /// <summary>
    /// Rewrites the live entries (jobs without an acknowledged result, acknowledged ones younger than
    /// JournalKeepFinished, and the policy counters) to a new file, fsyncs it, and renames it over
    /// the journal (rename(2) is atomic), then fsyncs the folder so the rename itself is durable.
    /// </summary>
    private void Compact()
    {
        var before = _file.Length;
        var now = _clock.GetUtcNow();
        var forgetBefore = now - _options.JournalKeepFinished;
        var temporary = _path + ".compact";
        var live = 0;
        try
        {
            using (var compacted = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                foreach (var (key, record) in _jobs)
                {
                    var entries = LiveEntries(record, forgetBefore);
                    if (entries is null)
                    {
                        _jobs.TryRemove(KeyValuePair.Create(key, record));
                        continue;
                    }

                    live += entries.Count > 0 ? 1 : 0;
                    foreach (var entry in entries)
                    {
                        compacted.Write(Line(entry));
                    }
                }

                // Last, so that it overrides the counts that the rewritten start entries add on replay.
                var counts = Counters.Snapshot();
                compacted.Write(Line(new JournalEntry { Kind = JournalEntry.Counters, At = now, Hour = counts.Hour, HourCount = counts.HourCount, Day = counts.Day, DayCount = counts.DayCount }));
                compacted.Flush(flushToDisk: true);
            }

            File.Move(temporary, _path, overwrite: true);
            DirectorySync.Flush(Folder);
        }
        catch (IOException e)
        {
            // The old journal is intact and still open; try again once it has doubled.
            Log.WriteFailed(_logger, e);
            _threshold = 2 * _file.Length;
            return;
        }

        _file.Dispose();
        _file = new FileStream(_path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
        _file.Seek(0, SeekOrigin.End);
        _threshold = Math.Max(_options.JournalCompactBytes, 2 * _file.Length);
        Log.Compacted(_logger, before, _file.Length, live);
    }

    /// <summary>What a record keeps in a compacted journal; null when it is to be forgotten.</summary>
    private static List<JournalEntry>? LiveEntries(JournalRecord record, DateTimeOffset forgetBefore)
    {
        lock (record)
        {
            var job = record.Ref;
            switch (record.State)
            {
                case JobState.Claimed:
                    // Nothing durable yet; its start, if any, is still queued and follows.
                    return [];
                case JobState.Started:
                    return [new JournalEntry { Kind = JournalEntry.Start, At = record.Changed, DeliveryId = job.DeliveryId, Attempt = job.Attempt, Recipients = record.Recipients }];
                case JobState.Finished:
                    return [Done(record)];
                case JobState.Acknowledged when record.Changed >= forgetBefore:
                    return [Done(record), new JournalEntry { Kind = JournalEntry.Ack, At = record.Changed, DeliveryId = job.DeliveryId, Attempt = job.Attempt }];
                default:
                    return null;
            }
        }
    }

    private static JournalEntry Done(JournalRecord record) => new()
    {
        Kind = JournalEntry.Done,
        At = record.Changed,
        DeliveryId = record.Ref.DeliveryId,
        Attempt = record.Ref.Attempt,
        Message = Google.Protobuf.MessageExtensions.ToByteArray(record.Outcome!),
    };

    private void TruncateTo(long length)
    {
        try
        {
            // A partly written batch must not stay in front of later entries.
            _file.SetLength(length);
            _file.Seek(length, SeekOrigin.Begin);
        }
        catch (IOException e)
        {
            // Already reported by the caller's log line; the next start refuses a damaged journal.
            Log.WriteFailed(_logger, e);
        }
    }
}
