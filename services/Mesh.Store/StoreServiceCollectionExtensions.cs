using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Mesh.Store;

public static class StoreServiceCollectionExtensions
{
    /// <summary>Registers the store from configuration section "Mesh:Store". Safe to call from every part.</summary>
    public static IServiceCollection AddMeshStore(this IServiceCollection services)
    {
        services.AddOptions<StoreOptions>().BindConfiguration("Mesh:Store");
        services.TryAddSingleton<MeshStore>();
        services.TryAddSingleton<DeliveryQueue>();
        services.TryAddSingleton<EventLog>();
        services.TryAddSingleton(TimeProvider.System);
        services.Configure<Grpc.AspNetCore.Server.GrpcServiceOptions>(o =>
        {
            if (!o.Interceptors.Any(i => i.Type == typeof(StoreUnavailableInterceptor)))
            {
                o.Interceptors.Add<StoreUnavailableInterceptor>();
            }
        });
        return services;
    }
}
