using Mesh.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Mesh.Gateway;

public static class GatewayExtensions
{
    public static IServiceCollection AddGateway(this IServiceCollection services)
    {
        services.AddMeshStore();
        services.AddOptions<GatewayOptions>().BindConfiguration(GatewayOptions.Section).ValidateOnStart()
            .Validate(o => o.MaxRecipients > 0 && o.MaxContentBytes > 0, "Mesh:Gateway:MaxRecipients and MaxContentBytes must be positive");
        services.AddOptions<MeshEndpoints>().BindConfiguration(MeshEndpoints.Section);
        services.AddGrpcClient<Schedule.V1.Schedule.ScheduleClient>((sp, o) => o.Address = MeshEndpoints.Require(sp, e => e.Schedule, "Schedule"));
        services.AddGrpcClient<Sign.V1.Sign.SignClient>((sp, o) => o.Address = MeshEndpoints.Require(sp, e => e.Sign, "Sign"));
        services.AddGrpcClient<Render.V1.Render.RenderClient>((sp, o) => o.Address = MeshEndpoints.Require(sp, e => e.Render, "Render"));
        services.AddSingleton<TemplateStore>();
        services.AddSingleton<ApiKeyAuthenticator>();
        services.AddSingleton<SendValidator>();
        return services;
    }

    public static IEndpointRouteBuilder MapGateway(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGrpcService<MailGrpcService>();
        endpoints.MapGrpcService<AdminGrpcService>();
        endpoints.MapGrpcService<TemplatesGrpcService>();
        return endpoints;
    }
}
