using Mesh.Schedule;
using Mesh.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("mesh-schedule");
builder.Services.AddSchedule();

var app = builder.Build();
app.MapServiceDefaults();
app.MapSchedule();
app.Run();
