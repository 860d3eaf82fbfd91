namespace UserService.Infrastructure.Hosting;

internal static class HostingExtensions
{
    /// <summary>Runs the app and turns a <see cref="StartupException"/> into exit code 1, without a stack trace.</summary>
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
    }
}
