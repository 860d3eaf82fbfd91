namespace UserService.Infrastructure.Hosting;

/// <summary>
/// A startup hook found that the service cannot run (database unreachable, signing key missing). The hook has
/// already logged the one line that says why; the process exits with code 1.
/// </summary>
internal class StartupException(string message, Exception? inner = null) : Exception(message, inner);
