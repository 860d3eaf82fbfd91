namespace UserService.Features.Users;

/// <summary>
/// What the statements on <c>users</c> share. Each slice keeps its own statement beside its Dapper call, a constant
/// composed from these, so that every prepared statement keeps one text.
/// <para>
/// A user exists while its row does, and that is all "live" means: deleting is for good, takes the user's sessions
/// with it (migration 0005, <c>ON DELETE CASCADE</c>) and makes every instance forget the user's tokens (the trigger
/// of migration 0003). No column marks a user disabled or deleted, so no statement filters on one; a soft delete would
/// add that predicate here and to each statement that reads <c>users</c>.
/// </para>
/// </summary>
internal static class UserSql
{
    /// <summary>The columns the user slices select or return, in <see cref="UserRow"/>'s shape (never the password hash).</summary>
    public const string Columns = "id, email, full_name, role, version, created_at, updated_at";

    /// <summary>
    /// A conditional write's <c>If-Match</c> (PATCH, DELETE): the row's version is one the header named, or the request
    /// named none (<c>@Versions</c> null). Part of the write's own <c>WHERE</c>, so no concurrent writer splits check and write.
    /// </summary>
    public const string IfMatch = "(@Versions::bigint[] IS NULL OR version = ANY(@Versions))";

    /// <summary>After a conditional write matched no row: does the user exist (so the ETag was stale, 412) or not (404)?</summary>
    public const string ExistsSql = "SELECT EXISTS (SELECT 1 FROM users WHERE id = @Id)";
}
