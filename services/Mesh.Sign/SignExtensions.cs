using Mesh.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.Sign;

public static class SignExtensions
{
    public static IServiceCollection AddSign(this IServiceCollection services)
    {
        services.AddMeshStore();
        services.AddSingleton<DkimKeyStore>();
        return services;
    }

    public static IEndpointRouteBuilder MapSign(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGrpcService<SignGrpcService>();
        return endpoints;
    }
}
