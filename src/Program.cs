var builder = WebApplication.CreateBuilder(args);

builder.AddObservability();
builder.AddSecurity();
builder.AddDatabase();
builder.AddFirstAdmin();
builder.AddErrors();
builder.AddHttpLimits();
builder.AddApi();
builder.AddHealth();

var app = builder.Build();

app.UseObservability();
app.UseErrors();
app.UseHttpLimits();
app.UseSecurity();
app.UseApi();
app.MapHealth();

return await app.RunServiceAsync();
