namespace UserService.Infrastructure.Hosting;

/// <summary>
/// A startup hook found that the service cannot run (signing key missing, database unreachable, a migration failed). The hook has
/// already logged the one line that says why; the process exits with code 1.
/// </summary>
internal class StartupException(string message, Exception? inner = null) : Exception(message, inner);
