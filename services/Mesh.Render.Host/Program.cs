using Mesh.Render;
using Mesh.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("mesh-render");
builder.Services.AddRender();

var app = builder.Build();
app.MapServiceDefaults();
app.MapRender();
app.Run();
