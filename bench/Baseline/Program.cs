using Baseline;
using Npgsql;

var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
builder.Services.AddSingleton(_ => Users.CreateDataSource(builder.Configuration.GetConnectionString("Users")));

var app = builder.Build();
var db = app.Services.GetRequiredService<NpgsqlDataSource>();

app.MapGet("/api/users/{id:guid}", context => Users.GetAsync(db, context));
app.MapGet("/api/users", context => Users.ListAsync(db, context));
app.MapPatch("/api/users/{id:guid}", context => Users.PatchAsync(db, context));
app.MapGet("/health/ready", context => Users.ReadyAsync(db, context));

app.Run();
