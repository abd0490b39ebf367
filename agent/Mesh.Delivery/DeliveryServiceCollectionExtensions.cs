using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Mesh.Delivery;

public static class DeliveryServiceCollectionExtensions
{
    /// <summary>Registers the delivery engine with options bound from <paramref name="section"/>.</summary>
    public static IServiceCollection AddDeliveryEngine(this IServiceCollection services, string section)
    {
        services.AddOptions<DeliveryOptions>().BindConfiguration(section).ValidateOnStart()
            .Validate(o => string.IsNullOrEmpty(o.SourceAddress) || System.Net.IPAddress.TryParse(o.SourceAddress, out _),
                $"{section}:SourceAddress must be an IP address")
            .Validate(o => o.MaxConnectionsPerDestination >= 1 && o.MaxIdlePerDestination >= 0,
                $"{section}:MaxConnectionsPerDestination must be at least 1");
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IMailRouter, DnsMailRouter>();
        services.AddSingleton<SmtpDeliverer>();
        return services;
    }
}
