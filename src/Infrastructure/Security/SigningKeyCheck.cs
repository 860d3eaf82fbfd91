namespace UserService.Infrastructure.Security;

/// <summary>The first startup hook: refuse to run without a proper signing key, before touching the database.</summary>
internal sealed partial class SigningKeyCheck(SigningKeys key, ILogger<SigningKeyCheck> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (key.Problem is not null)
        {
            LogInvalid(key.Problem);
            throw new StartupException(key.Problem);
        }

        if (key.IsEphemeral)
        {
            LogEphemeral();
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Critical, Message = "{Problem}")]
    partial void LogInvalid(string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Jwt:SigningKey is not set: using an ephemeral key (Development only); tokens stop working when the process restarts")]
    partial void LogEphemeral();
}
