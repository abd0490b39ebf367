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

    /// <summary>The configured address of one internal service; a missing one stops start-up with its name.</summary>
    public static Uri Require(IServiceProvider services, Func<MeshEndpoints, Uri?> pick, string name) =>
        pick(Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions
                .GetRequiredService<Microsoft.Extensions.Options.IOptions<MeshEndpoints>>(services).Value)
        ?? throw new InvalidOperationException($"Configuration {Section}:{name} is required");
}
