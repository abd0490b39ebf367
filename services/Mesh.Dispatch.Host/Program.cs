using Mesh.Dispatch;
using Mesh.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("mesh-dispatch");
builder.Services.AddDispatch();

var app = builder.Build();
app.MapServiceDefaults();
app.MapDispatch();
app.Run();
