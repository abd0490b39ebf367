using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Mesh.ServiceDefaults;

/// <summary>What every Mesh host shares: OpenTelemetry, gRPC health, gRPC reflection, HTTP/2 keepalive.</summary>
public static class ServiceDefaultsExtensions
{
    /// <summary>The ActivitySource and Meter name used by all Mesh parts.</summary>
    public const string TelemetryName = "Mesh";

    public static WebApplicationBuilder AddServiceDefaults(this WebApplicationBuilder builder, string serviceName)
    {
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // Agents hold long-lived streams; .NET leaves HTTP/2 pings off by default.
            kestrel.Limits.Http2.KeepAlivePingDelay = TimeSpan.FromSeconds(20);
            kestrel.Limits.Http2.KeepAlivePingTimeout = TimeSpan.FromSeconds(20);
        });

        // Above the gateway's 10 MiB content limit, so that a too-large Send gets INVALID_ARGUMENT
        // naming the field rather than a transport error.
        builder.Services.AddGrpc(o => o.MaxReceiveMessageSize = 16 * 1024 * 1024);
        builder.Services.AddGrpcHealthChecks();
        builder.Services.AddGrpcReflection();

        var otel = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(serviceName))
            .WithTracing(t => t.AddSource(TelemetryName).AddAspNetCoreInstrumentation().AddHttpClientInstrumentation())
            .WithMetrics(m => m.AddMeter(TelemetryName).AddAspNetCoreInstrumentation());
        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            otel.UseOtlpExporter();
        }

        return builder;
    }

    public static WebApplication MapServiceDefaults(this WebApplication app)
    {
        app.MapGrpcHealthChecksService();
        app.MapGrpcReflectionService();
        return app;
    }
}
