using Microsoft.Extensions.Options;

namespace UserService.Infrastructure.Hosting;

internal static partial class HostingExtensions
{
    /// <summary>
    /// Runs the app and turns a <see cref="StartupException"/> (already logged by its hook) or an invalid setting into
    /// exit code 1 with one line, without a stack trace.
    /// </summary>
    public static async Task<int> RunServiceAsync(this WebApplication app)
    {
        try
        {
            await app.RunAsync();
            return 0;
        }
        catch (StartupException)
        {
            return 1;
        }
        catch (OptionsValidationException e)
        {
            LogInvalidSettings(app.Logger, string.Join(" ", e.Failures));
            return 1;
        }
        catch (AggregateException e) when (e.InnerExceptions.All(inner => inner is OptionsValidationException))
        {
            // Several sections invalid at once: still one line, with every failure.
            LogInvalidSettings(app.Logger, string.Join(" ", e.InnerExceptions.Cast<OptionsValidationException>().SelectMany(inner => inner.Failures)));
            return 1;
        }
    }

    [LoggerMessage(Level = LogLevel.Critical, Message = "Invalid settings: {Failures} Startup stopped.")]
    static partial void LogInvalidSettings(ILogger logger, string failures);
}
