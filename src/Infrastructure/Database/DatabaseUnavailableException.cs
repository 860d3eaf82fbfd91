namespace UserService.Infrastructure.Database;

/// <summary>The database could not be reached before the startup deadline.</summary>
internal sealed class DatabaseUnavailableException(string message, Exception? inner = null) : StartupException(message, inner);
