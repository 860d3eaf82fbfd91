using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;

namespace UserService.Infrastructure.Security;

/// <summary>
/// Creates the first admin from <c>Admin:Email</c> / <c>Admin:Password</c> (validated at start) when no admin exists.
/// Runs after the database hook (StartupHooks); a transaction-scoped advisory lock makes it idempotent across restarts and across
/// instances starting at once.
/// </summary>
internal sealed partial class AdminBootstrap(NpgsqlDataSource db, Passwords passwords, IOptions<AdminOptions> options, ILogger<AdminBootstrap> logger) : IHostedService
{
    const long LockKey = 0x5573657241646d6e;

    const string AdminExists = $"EXISTS (SELECT 1 FROM users WHERE role = '{Caller.Admin}')";

    const string CreateSql = $"""
        INSERT INTO users (id, email, password_hash, full_name, role)
        SELECT @id, @email, @hash, 'Administrator', '{Caller.Admin}'
        WHERE NOT {AdminExists}
        ON CONFLICT DO NOTHING
        """;

    const string AdminExistsSql = $"SELECT {AdminExists}";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var admin = options.Value;
        // In the canonical form of sign-up, so the admin signs in with any spelling of it and no look-alike is created.
        if (!admin.IsSet || !EmailAddress.TryCanonicalize(admin.Email, out var email, out _))
        {
            return;
        }

        var hash = await passwords.HashAsync(admin.Password!, cancellationToken);
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_xact_lock(@LockKey)", new { LockKey }, tx, cancellationToken: cancellationToken));
        var created = await connection.ExecuteAsync(new CommandDefinition(CreateSql, new { id = Guid.CreateVersion7(), email, hash }, tx, cancellationToken: cancellationToken));
        await tx.CommitAsync(cancellationToken);

        if (created == 1)
        {
            LogCreated(email);
        }
        else if (!await connection.ExecuteScalarAsync<bool>(new CommandDefinition(AdminExistsSql, cancellationToken: cancellationToken)))
        {
            // Never promote an existing account: whoever signed up with this email chose its password.
            LogEmailTaken(email);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Created the first admin {Email} from configuration")]
    partial void LogCreated(string email);

    [LoggerMessage(Level = LogLevel.Error, Message = "No admin exists and Admin:Email {Email} belongs to a plain user; no admin was created")]
    partial void LogEmailTaken(string email);
}
