using Mesh.Sign;
using Mesh.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("mesh-sign");
builder.Services.AddSign();

var app = builder.Build();
app.MapServiceDefaults();
app.MapSign();
app.Run();
