using Mesh.Dispatch;
using Mesh.Gateway;
using Mesh.Render;
using Mesh.Schedule;
using Mesh.ServiceDefaults;
using Mesh.Sign;

namespace Mesh.AllInOne;

/// <summary>
/// The five provider parts in one process, for a single machine and the demo. The parts still
/// call each other over gRPC (Mesh:Endpoints points at this host), so it runs the same code as
/// a split deployment. Without Mesh:Store:Redis it uses the embedded Garnet store.
/// </summary>
public static class AllInOneHost
{
    /// <summary>
    /// Configuration that serves every part on one h2c URL and points the parts at each other
    /// there (what appsettings.json does for 127.0.0.1:7400), for hosts started on a chosen port.
    /// </summary>
    public static Dictionary<string, string?> SelfHostedOn(string url) => new()
    {
        ["Kestrel:Endpoints:Grpc:Url"] = url,
        ["Kestrel:Endpoints:Grpc:Protocols"] = "Http2",
        ["Mesh:Endpoints:Render"] = url,
        ["Mesh:Endpoints:Sign"] = url,
        ["Mesh:Endpoints:Schedule"] = url,
    };

    public static WebApplication Build(string[] args, IReadOnlyDictionary<string, string?>? overrides = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        if (overrides is not null)
        {
            builder.Configuration.AddInMemoryCollection(overrides);
        }

        builder.AddServiceDefaults("mesh-allinone");
        builder.Services.AddGateway().AddRender().AddSign().AddSchedule().AddDispatch();

        var app = builder.Build();
        app.MapServiceDefaults();
        app.MapGateway();
        app.MapRender();
        app.MapSign();
        app.MapSchedule();
        app.MapDispatch();
        return app;
    }
}
