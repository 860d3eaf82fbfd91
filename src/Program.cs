var builder = WebApplication.CreateBuilder(args);

builder.AddObservability();
builder.AddDatabase();
builder.AddSecurity();
builder.AddErrors();
builder.AddHttpLimits();
builder.AddApi();
builder.AddHealth();

var app = builder.Build();

app.UseObservability();
app.UseErrors();
app.UseHttpLimits();
app.UseApi();
app.MapHealth();

return await app.RunServiceAsync();
