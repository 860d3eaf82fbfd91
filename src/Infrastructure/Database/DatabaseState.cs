namespace UserService.Infrastructure.Database;

/// <summary>What the startup hook has achieved so far; read by the readiness check.</summary>
internal sealed class DatabaseState
{
    volatile bool migrated;

    public bool Migrated => migrated;

    public void MarkMigrated() => migrated = true;
}
