namespace Mesh.Store;

/// <summary>Where Mesh keeps its state (configuration section "Mesh:Store").</summary>
public sealed record StoreOptions
{
    /// <summary>A StackExchange.Redis connection string. Empty runs the embedded Garnet store.</summary>
    public string? Redis { get; init; }

    /// <summary>Folder of the embedded store's append-only file and checkpoints.</summary>
    public string DataDir { get; init; } = ".mesh-data";

    /// <summary>Loopback port of the embedded store; 0 picks a free one.</summary>
    public int EmbeddedPort { get; init; }
}
