using Npgsql;

namespace UserService.Infrastructure.Database;

/// <summary>
/// Where a statement runs when the connection string names several hosts (a primary and its standbys). The process
/// still has one data source: Npgsql's multi-host data source keeps one pool per host and hands out views of it by
/// target session, so these add no pool and no connection. With one host they return the data source itself.
/// <para>
/// The data source's own default is the primary (see <see cref="DatabaseConnection.Service"/>), so writes,
/// and reads that must see them, need nothing from here.
/// </para>
/// </summary>
internal static class TargetSessions
{
    /// <summary>The primary, whatever the connection string's default: for reads that must see the latest write.</summary>
    public static NpgsqlDataSource Primary(this NpgsqlDataSource db) =>
        db is NpgsqlMultiHostDataSource hosts ? hosts.WithTargetSession(TargetSessionAttributes.Primary) : db;

    /// <summary>
    /// A standby when one is up, else the primary: for reads that may lag a little behind the latest write (the admin
    /// list and search), so that they take load off the primary without failing while every standby is down.
    /// </summary>
    public static NpgsqlDataSource PreferStandby(this NpgsqlDataSource db) =>
        db is NpgsqlMultiHostDataSource hosts ? hosts.WithTargetSession(TargetSessionAttributes.PreferStandby) : db;
}
