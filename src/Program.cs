// Settings come from beside the binary, wherever the process was started from (a unit file without
// WorkingDirectory, `dotnet /app/UserService.dll` from elsewhere), never from the working directory.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });

builder.AddProxies();
builder.AddObservability();
builder.AddSecurity();
builder.AddDatabase();
builder.AddErrors();
builder.AddHttpLimits();
builder.AddApi();
builder.AddHealth();
builder.AddStartupHooks();

var app = builder.Build();

app.UseProxies();
app.UseObservability();
app.UseErrors();
app.UseHttpLimits();
app.UseSecurity();
app.UseApi();
app.MapHealth();

return await app.RunServiceAsync();
