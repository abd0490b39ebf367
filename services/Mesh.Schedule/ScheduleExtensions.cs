using Mesh.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Mesh.Schedule;

public static class ScheduleExtensions
{
    public static IServiceCollection AddSchedule(this IServiceCollection services)
    {
        services.AddMeshStore();
        services.AddOptions<ScheduleOptions>().BindConfiguration(ScheduleOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ScheduleOptions>, ScheduleOptionsValidator>();
        services.AddOptions<MeshEndpoints>().BindConfiguration(MeshEndpoints.Section);
        services.AddGrpcClient<Render.V1.Render.RenderClient>((sp, o) => o.Address = MeshEndpoints.Require(sp, e => e.Render, "Render"));
        services.AddGrpcClient<Sign.V1.Sign.SignClient>((sp, o) => o.Address = MeshEndpoints.Require(sp, e => e.Sign, "Sign"));
        services.AddSingleton<ScheduleMetrics>();
        services.AddHostedService<ScheduleWorker>();
        return services;
    }

    public static IEndpointRouteBuilder MapSchedule(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGrpcService<ScheduleGrpcService>();
        return endpoints;
    }

    private sealed class ScheduleOptionsValidator : IValidateOptions<ScheduleOptions>
    {
        public ValidateOptionsResult Validate(string? name, ScheduleOptions options)
        {
            var errors = options.Validate().ToList();
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}
