namespace Mesh;

/// <summary>
/// Addresses of the internal gRPC services (configuration section "Mesh:Endpoints").
/// The all-in-one host points them all at itself.
/// </summary>
internal sealed record MeshEndpoints
{
    public const string Section = "Mesh:Endpoints";

    public Uri? Render { get; init; }

    public Uri? Sign { get; init; }

    public Uri? Schedule { get; init; }
}
