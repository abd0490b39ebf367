using Mesh.Agent.V1;

namespace Mesh.Agent.Journal;

/// <summary>Where one (delivery id, attempt) stands, as far as this agent knows.</summary>
internal enum JobState
{
    /// <summary>Taken by this process; nothing durable yet.</summary>
    Claimed,

    /// <summary>Journaled before delivery began; no result yet.</summary>
    Started,

    /// <summary>Its result (or hand-back) is journaled and not yet acknowledged by dispatch.</summary>
    Finished,

    /// <summary>Dispatch has the result.</summary>
    Acknowledged,
}

/// <summary>The journal's in-memory view of one job. Guarded by its own lock.</summary>
internal sealed class JournalRecord(JobRef job)
{
    public JobRef Ref { get; } = job;

    public JobState State { get; set; }

    public string[] Recipients { get; set; } = [];

    /// <summary>The result or hand-back, once known.</summary>
    public AgentMessage? Outcome { get; set; }

    public DateTimeOffset Changed { get; set; }

    public static string Key(JobRef job) => $"{job.DeliveryId}/{job.Attempt}";
}
