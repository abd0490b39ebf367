using Mesh.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Mesh.Dispatch;

public static class DispatchExtensions
{
    public static IServiceCollection AddDispatch(this IServiceCollection services)
    {
        services.AddMeshStore();
        services.AddOptions<DispatchOptions>().BindConfiguration(DispatchOptions.Section).ValidateOnStart()
            .Validate(o => o.LeaseDuration > o.HeartbeatInterval && o.HeartbeatInterval > TimeSpan.Zero,
                "Mesh:Dispatch:LeaseDuration must be longer than a positive HeartbeatInterval");
        services.AddOptions<MeshEndpoints>().BindConfiguration(MeshEndpoints.Section);
        services.AddGrpcClient<Schedule.V1.Schedule.ScheduleClient>((sp, o) => o.Address = MeshEndpoints.Require(sp, e => e.Schedule, "Schedule"));
        services.AddSingleton<AgentAuthenticator>();
        services.AddSingleton<TenantSignals>();
        services.AddSingleton<AgentPresence>();
        services.AddSingleton<DispatchMetrics>();
        return services;
    }

    public static IEndpointRouteBuilder MapDispatch(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGrpcService<AgentLinkService>();
        endpoints.MapGrpcService<DispatchGrpcService>();
        return endpoints;
    }
}
