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
            .Validate(o => o.MaxRecipients > 0 && o.MaxContentBytes > 0, "Mesh:Gateway:MaxRecipients and MaxContentBytes must be positive")
            .Validate(o => string.IsNullOrEmpty(o.UnsubscribeKey) || o.UnsubscribeKey.Length >= 32, "Mesh:Gateway:UnsubscribeKey must be at least 32 characters")
            .Validate(o => o.NameServers.All(n => System.Net.IPEndPoint.TryParse(n, out _)), "Mesh:Gateway:NameServers must be \"ip\" or \"ip:port\" entries")
            .Validate(o => o.ProviderEgressAddresses.All(a => System.Net.IPAddress.TryParse(a, out _)), "Mesh:Gateway:ProviderEgressAddresses must be IP addresses")
            .Validate(o => o.DnsTimeout > TimeSpan.Zero, "Mesh:Gateway:DnsTimeout must be positive");
        services.AddOptions<MeshEndpoints>().BindConfiguration(MeshEndpoints.Section);
        services.AddGrpcClient<Schedule.V1.Schedule.ScheduleClient>((sp, o) => o.Address = MeshEndpoints.Require(sp, e => e.Schedule, "Schedule"));
        services.AddGrpcClient<Sign.V1.Sign.SignClient>((sp, o) => o.Address = MeshEndpoints.Require(sp, e => e.Sign, "Sign"));
        services.AddGrpcClient<Render.V1.Render.RenderClient>((sp, o) => o.Address = MeshEndpoints.Require(sp, e => e.Render, "Render"));
        services.AddSingleton<TemplateStore>();
        services.AddSingleton<UnsubscribeLinks>();
        services.AddSingleton<ApiKeyAuthenticator>();
        services.AddSingleton<SendValidator>();
        services.AddSingleton<DomainOnboarding>();
        services.AddSingleton<DomainRecords>();
        services.AddSingleton<DnsRecordChecker>();
        return services;
    }

    public static IEndpointRouteBuilder MapGateway(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGrpcService<MailGrpcService>();
        endpoints.MapGrpcService<AdminGrpcService>();
        endpoints.MapGrpcService<TemplatesGrpcService>();
        endpoints.MapGrpcService<DomainsGrpcService>();
        endpoints.MapPost("/unsubscribe/{token}", UnsubscribeEndpoint.PostAsync);
        return endpoints;
    }
}
