namespace Mesh.Schedule;

/// <summary>Retry and expiry policy (configuration section "Mesh:Schedule").</summary>
public sealed record ScheduleOptions
{
    public const string Section = "Mesh:Schedule";

    /// <summary>Wait before the first retry. RFC 5321 §4.5.4.1: at least 30 minutes.</summary>
    public TimeSpan FirstRetry { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>Longest wait between two retries.</summary>
    public TimeSpan MaxRetry { get; init; } = TimeSpan.FromHours(4);

    /// <summary>Each retry waits this much longer than the one before.</summary>
    public double RetryMultiplier { get; init; } = 2.0;

    /// <summary>Give-up time after Send. RFC 5321 §4.5.4.1: 4 to 5 days (Postfix: 5 days).</summary>
    public TimeSpan MaxAge { get; init; } = TimeSpan.FromDays(5);

    /// <summary>How long a scheduler may hold a due delivery while it renders and signs it.</summary>
    public TimeSpan ClaimTimeout { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Due deliveries taken per tenant per pass (fairness between tenants).</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>Renders and signs in flight at once per scheduler.</summary>
    public int Concurrency { get; init; } = 16;

    /// <summary>How long a finished delivery stays readable through GetMessage.</summary>
    public TimeSpan Retention { get; init; } = TimeSpan.FromDays(30);

    public TimeSpan RetryDelay(uint attempt)
    {
        var delay = FirstRetry.TotalMilliseconds * Math.Pow(RetryMultiplier, Math.Max(0, (int)attempt - 1));
        return TimeSpan.FromMilliseconds(Math.Min(delay, MaxRetry.TotalMilliseconds));
    }

    public IEnumerable<string> Validate()
    {
        if (FirstRetry <= TimeSpan.Zero)
        {
            yield return "FirstRetry must be positive";
        }

        if (MaxRetry < FirstRetry)
        {
            yield return "MaxRetry must not be less than FirstRetry";
        }

        if (RetryMultiplier < 1)
        {
            yield return "RetryMultiplier must be at least 1";
        }

        if (MaxAge <= TimeSpan.Zero)
        {
            yield return "MaxAge must be positive";
        }

        if (BatchSize < 1 || Concurrency < 1)
        {
            yield return "BatchSize and Concurrency must be at least 1";
        }
    }
}
