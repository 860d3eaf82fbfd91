namespace UserService.Infrastructure.Database;

/// <summary>The database could not be reached before the startup deadline; the process exits non-zero.</summary>
internal sealed class DatabaseUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
