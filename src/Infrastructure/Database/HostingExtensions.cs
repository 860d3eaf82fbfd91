namespace UserService.Infrastructure.Database;

internal static class HostingExtensions
{
    /// <summary>
    /// Runs the app and turns "database unreachable at startup" into exit code 1; the startup hook has already
    /// logged the one line that says why.
    /// </summary>
    public static async Task<int> RunServiceAsync(this WebApplication app)
    {
        try
        {
            await app.RunAsync();
            return 0;
        }
        catch (DatabaseUnavailableException)
        {
            return 1;
        }
    }
}
