namespace Mesh.Agent;

/// <summary>The agent's link to dispatch (configuration section "Agent").</summary>
public sealed record AgentOptions
{
    public const string Section = "Agent";

    /// <summary>The dispatch URL the agent dials, e.g. https://dispatch.mesh.example:443.</summary>
    public Uri? DispatchUrl { get; init; }

    /// <summary>The tenant's agent token.</summary>
    public string? Token { get; init; }

    /// <summary>A stable id for this agent instance.</summary>
    public string AgentId { get; init; } = Environment.MachineName;

    /// <summary>Jobs in flight at once (the credit given to dispatch).</summary>
    public uint Credits { get; init; } = 16;

    /// <summary>On shutdown, how long jobs in flight may run before the rest are handed back.</summary>
    public TimeSpan DrainGrace { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Reconnect backoff (gRPC connection-backoff defaults: 1 s, x1.6, 120 s, jitter 0.2).</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>
    /// Folder of the local journal (docs/DECISIONS.md, Agent journal). A relative path is taken
    /// from the working directory; unset means "mesh-agent-journal" there. One agent per folder.
    /// </summary>
    public string? JournalPath { get; init; }

    /// <summary>The journal is compacted when its file grows past this size (and past twice its last compacted size).</summary>
    public long JournalCompactBytes { get; init; } = 4 * 1024 * 1024;

    /// <summary>How long a result dispatch acknowledged is still remembered, to refuse the same (delivery id, attempt).</summary>
    public TimeSpan JournalKeepFinished { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>The journal folder as an absolute path.</summary>
    public string JournalFolder => Path.GetFullPath(string.IsNullOrWhiteSpace(JournalPath) ? "mesh-agent-journal" : JournalPath);

    public IEnumerable<string> Validate()
    {
        if (DispatchUrl is null)
        {
            yield return "Agent:DispatchUrl is required";
        }

        if (string.IsNullOrWhiteSpace(Token))
        {
            yield return "Agent:Token is required";
        }

        if (Credits == 0)
        {
            yield return "Agent:Credits must be at least 1";
        }

        if (JournalCompactBytes < 1024)
        {
            yield return "Agent:JournalCompactBytes must be at least 1024";
        }

        if (JournalKeepFinished < TimeSpan.Zero)
        {
            yield return "Agent:JournalKeepFinished must not be negative";
        }
    }
}
