using Mesh.Gateway;
using Mesh.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("mesh-gateway");
builder.Services.AddGateway();

var app = builder.Build();
app.MapServiceDefaults();
app.MapGateway();
app.Run();
