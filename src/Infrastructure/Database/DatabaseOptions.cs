namespace UserService.Infrastructure.Database;

/// <summary>Settings of the startup hook, bound from the <c>Database</c> section.</summary>
internal sealed class DatabaseOptions
{
    public const string Section = "Database";

    public const string Rule = "Database: StartupDeadline and MaxRetryDelay must be above zero.";

    /// <summary>How long the startup hook keeps retrying before the process gives up.</summary>
    public TimeSpan StartupDeadline { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Longest pause between two connection attempts.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    public static bool IsValid(DatabaseOptions o) => o.StartupDeadline > TimeSpan.Zero && o.MaxRetryDelay > TimeSpan.Zero;
}
