var builder = WebApplication.CreateBuilder(args);

builder.AddDatabase();
builder.AddSecurity();
builder.AddErrors();
builder.AddHttpLimits();
builder.AddApi();
builder.AddHealth();

var app = builder.Build();

app.UseErrors();
app.UseHttpLimits();
app.UseApi();
app.MapHealth();

return await app.RunServiceAsync();
