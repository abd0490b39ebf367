namespace Mesh.Render;

/// <summary>Template sandbox limits (configuration section "Mesh:Render").</summary>
public sealed record RenderOptions
{
    public const string Section = "Mesh:Render";

    /// <summary>Statements one rendering may execute (loops count each iteration): stops runaway loops.</summary>
    public int MaxSteps { get; init; } = 100_000;

    /// <summary>Characters one template may produce: stops output bombs. SES caps a message at 10 MB.</summary>
    public int MaxOutputChars { get; init; } = 5_000_000;

    /// <summary>Largest collection a loop may walk.</summary>
    public int MaxCollectionSize { get; init; } = 10_000;

    /// <summary>Deepest nesting of includes and blocks.</summary>
    public int MaxRecursion { get; init; } = 32;

    /// <summary>Wall-clock limit for rendering one message.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(2);
}
