namespace Mesh.Agent.Policy;

/// <summary>
/// Messages sent in the current UTC hour and UTC day (fixed windows, as Postfix's anvil counts per
/// time unit). Rebuilt from the journal at start, so a restart does not reset the caps.
/// </summary>
public sealed class SendCounters
{
    private readonly Lock _gate = new();
    private DateTimeOffset _hour;
    private DateTimeOffset _day;
    private long _hourCount;
    private long _dayCount;

    public CounterSnapshot Snapshot()
    {
        lock (_gate)
        {
            return new CounterSnapshot(_hour, _hourCount, _day, _dayCount);
        }
    }

    /// <summary>Replaces the counts (a snapshot written by journal compaction).</summary>
    public void Restore(CounterSnapshot snapshot)
    {
        lock (_gate)
        {
            (_hour, _hourCount, _day, _dayCount) = (snapshot.Hour, snapshot.HourCount, snapshot.Day, snapshot.DayCount);
        }
    }

    /// <summary>Counts <paramref name="count"/> messages sent at <paramref name="at"/> (journal replay).</summary>
    public void Add(DateTimeOffset at, long count)
    {
        lock (_gate)
        {
            Roll(at);
            if (HourOf(at) == _hour)
            {
                _hourCount += count;
            }

            if (DayOf(at) == _day)
            {
                _dayCount += count;
            }
        }
    }

    /// <summary>Takes <paramref name="count"/> messages from the caps, or says which cap is reached. A cap of 0 is no cap.</summary>
    public string? TryTake(DateTimeOffset now, long count, long maxPerHour, long maxPerDay)
    {
        lock (_gate)
        {
            Roll(now);
            if (maxPerHour > 0 && _hourCount + count > maxPerHour)
            {
                return $"hourly cap of {maxPerHour} messages reached (Agent:Policy:MaxPerHour; {_hourCount} sent since {_hour:HH:mm} UTC)";
            }

            if (maxPerDay > 0 && _dayCount + count > maxPerDay)
            {
                return $"daily cap of {maxPerDay} messages reached (Agent:Policy:MaxPerDay; {_dayCount} sent since {_day:yyyy-MM-dd} UTC)";
            }

            _hourCount += count;
            _dayCount += count;
            return null;
        }
    }

    private void Roll(DateTimeOffset now)
    {
        if (HourOf(now) > _hour)
        {
            (_hour, _hourCount) = (HourOf(now), 0);
        }

        if (DayOf(now) > _day)
        {
            (_day, _dayCount) = (DayOf(now), 0);
        }
    }

    private static DateTimeOffset HourOf(DateTimeOffset t)
    {
        var u = t.ToUniversalTime();
        return new DateTimeOffset(u.Year, u.Month, u.Day, u.Hour, 0, 0, TimeSpan.Zero);
    }

    private static DateTimeOffset DayOf(DateTimeOffset t)
    {
        var u = t.ToUniversalTime();
        return new DateTimeOffset(u.Year, u.Month, u.Day, 0, 0, 0, TimeSpan.Zero);
    }
}

/// <summary>The counts of the current windows.</summary>
public sealed record CounterSnapshot(DateTimeOffset Hour, long HourCount, DateTimeOffset Day, long DayCount);
