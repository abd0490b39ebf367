using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Mesh.Render;

public static class RenderExtensions
{
    public static IServiceCollection AddRender(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<TemplateEngine>();
        services.AddSingleton<MessageBuilder>();
        return services;
    }

    public static IEndpointRouteBuilder MapRender(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGrpcService<RenderGrpcService>();
        return endpoints;
    }
}
