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
        services.AddOptions<RenderOptions>().BindConfiguration(RenderOptions.Section).ValidateOnStart()
            .Validate(o => o.MaxSteps > 0 && o.MaxOutputChars > 0 && o.MaxCollectionSize > 0 && o.MaxRecursion > 0 && o.Timeout > TimeSpan.Zero,
                "Mesh:Render limits must be positive");
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
