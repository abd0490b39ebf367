using System.Text.Json.Serialization;

namespace Mesh.Agent.Journal;

/// <summary>
/// One line of the journal file (JSON lines). Kinds: "start" (the job is about to be delivered),
/// "done" (its result or hand-back, <see cref="Message"/> is the AgentMessage in protobuf),
/// "ack" (dispatch has the result), "counters" (the policy counts, written by compaction).
/// </summary>
internal sealed record JournalEntry
{
    public const string Start = "start";
    public const string Done = "done";
    public const string Ack = "ack";
    public const string Counters = "counters";

    [JsonPropertyName("k")]
    public required string Kind { get; init; }

    [JsonPropertyName("at")]
    public DateTimeOffset At { get; init; }

    [JsonPropertyName("id")]
    public string? DeliveryId { get; init; }

    [JsonPropertyName("a")]
    public uint Attempt { get; init; }

    [JsonPropertyName("rcpt")]
    public string[]? Recipients { get; init; }

    [JsonPropertyName("msg")]
    public byte[]? Message { get; init; }

    [JsonPropertyName("hour")]
    public DateTimeOffset Hour { get; init; }

    [JsonPropertyName("hourCount")]
    public long HourCount { get; init; }

    [JsonPropertyName("day")]
    public DateTimeOffset Day { get; init; }

    [JsonPropertyName("dayCount")]
    public long DayCount { get; init; }
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingDefault)]
[JsonSerializable(typeof(JournalEntry))]
internal sealed partial class JournalJson : JsonSerializerContext;
