using System.Buffers.Text;
using System.Data;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Npgsql;

namespace Baseline;

/// <summary>
/// The lower bound UserService is measured against: the same SQL shapes, the same JSON and headers, written by hand
/// with positional parameters and a <see cref="Utf8JsonWriter"/>. No validation, no problem details, no framework.
/// </summary>
internal static class Users
{
    const string Columns = "id, email, full_name, role, version, created_at, updated_at";
    const string FindSql = $"SELECT {Columns} FROM users WHERE id = $1";
    const string FirstPageSql = $"SELECT {Columns} FROM users ORDER BY id LIMIT $1";
    const string NextPageSql = $"SELECT {Columns} FROM users WHERE id > $2 ORDER BY id LIMIT $1";
    const string SearchSql = $"SELECT {Columns} FROM users WHERE (email ILIKE $2 OR full_name ILIKE $2) ORDER BY id LIMIT $1";
    const string SearchNextSql = $"SELECT {Columns} FROM users WHERE id > $2 AND (email ILIKE $3 OR full_name ILIKE $3) ORDER BY id LIMIT $1";
    const string RenameSql = $"""
        UPDATE users SET full_name = $2, version = version + 1, updated_at = now()
        WHERE id = $1
        RETURNING {Columns}
        """;

    static readonly byte[] CursorKey = "UserService/List/Cursor/v1"u8.ToArray();

    /// <summary>
    /// The connection string the bench gives the service, over the same defaults the service applies (see
    /// src/Infrastructure/Database/DatabaseConnection.cs), under its own application name: a ratio then measures
    /// the code path, not a pool setting.
    /// </summary>
    public static NpgsqlDataSource CreateDataSource(string? connectionString)
    {
        var csb = new NpgsqlConnectionStringBuilder { MaxAutoPrepare = 20, NoResetOnClose = true };
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        foreach (string keyword in given.Keys)
        {
            csb[keyword] = given[keyword];
        }

        csb.ApplicationName = "Baseline";
        return NpgsqlDataSource.Create(csb.ConnectionString);
    }

    public static async Task GetAsync(NpgsqlDataSource db, HttpContext context)
    {
        var ct = context.RequestAborted;
        var id = Guid.Parse((string)context.Request.RouteValues["id"]!, CultureInfo.InvariantCulture);
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var command = new NpgsqlCommand(FindSql, connection) { Parameters = { new() { Value = id } } };
        await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SingleRow, ct);
        if (!await reader.ReadAsync(ct))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        await WriteOneAsync(context, Row.Read(reader));
    }

    public static async Task ListAsync(NpgsqlDataSource db, HttpContext context)
    {
        var ct = context.RequestAborted;
        var query = context.Request.Query;
        var limit = int.TryParse(query["limit"], CultureInfo.InvariantCulture, out var l) ? l : 50;
        Guid? after = DecodeCursor(query["cursor"]);
        string? q = query["q"];
        var pattern = string.IsNullOrEmpty(q) ? null : $"%{q}%";

        var rows = new List<Row>(limit + 1);
        await using (var connection = await db.OpenConnectionAsync(ct))
        {
            var sql = (after, pattern) switch
            {
                (null, null) => FirstPageSql,
                (_, null) => NextPageSql,
                (null, _) => SearchSql,
                _ => SearchNextSql,
            };
            await using var command = new NpgsqlCommand(sql, connection) { Parameters = { new() { Value = limit + 1 } } };
            if (after is not null)
            {
                command.Parameters.Add(new() { Value = after.Value });
            }

            if (pattern is not null)
            {
                command.Parameters.Add(new() { Value = pattern });
            }

            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                rows.Add(Row.Read(reader));
            }
        }

        string? next = null;
        if (rows.Count > limit)
        {
            rows.RemoveAt(rows.Count - 1);
            next = EncodeCursor(rows[^1].Id);
            var search = pattern is null ? "" : $"&q={Uri.EscapeDataString(q!)}";
            context.Response.Headers.Link = $"</api/users?limit={limit}&cursor={next}{search}>; rel=\"next\"";
        }

        context.Response.ContentType = "application/json; charset=utf-8";
        await using var json = new Utf8JsonWriter(context.Response.BodyWriter);
        json.WriteStartObject();
        json.WriteStartArray("items");
        foreach (var row in rows)
        {
            row.Write(json);
        }

        json.WriteEndArray();
        json.WriteString("nextCursor", next);
        json.WriteEndObject();
        await json.FlushAsync(ct);
    }

    public static async Task PatchAsync(NpgsqlDataSource db, HttpContext context)
    {
        var ct = context.RequestAborted;
        var id = Guid.Parse((string)context.Request.RouteValues["id"]!, CultureInfo.InvariantCulture);
        using var body = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: ct);
        var fullName = body.RootElement.GetProperty("fullName").GetString();

        await using var connection = await db.OpenConnectionAsync(ct);
        await using var command = new NpgsqlCommand(RenameSql, connection) { Parameters = { new() { Value = id }, new() { Value = fullName } } };
        await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SingleRow, ct);
        if (!await reader.ReadAsync(ct))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        await WriteOneAsync(context, Row.Read(reader));
    }

    public static async Task ReadyAsync(NpgsqlDataSource db, HttpContext context)
    {
        await using var command = db.CreateCommand("SELECT 1");
        await command.ExecuteScalarAsync(context.RequestAborted);
        await context.Response.WriteAsync("ready", context.RequestAborted);
    }

    static async Task WriteOneAsync(HttpContext context, Row row)
    {
        context.Response.Headers.ETag = $"\"{row.Version.ToString(CultureInfo.InvariantCulture)}\"";
        context.Response.ContentType = "application/json; charset=utf-8";
        await using var json = new Utf8JsonWriter(context.Response.BodyWriter);
        row.Write(json);
        await json.FlushAsync(context.RequestAborted);
    }

    /// <summary>Reads the id out of a cursor without checking its MAC (the service checks it; the baseline trusts).</summary>
    static Guid? DecodeCursor(string? cursor)
    {
        Span<byte> buffer = stackalloc byte[48];
        return !string.IsNullOrEmpty(cursor) && Base64Url.TryDecodeFromChars(cursor, buffer, out var written) && written >= 16
            ? new Guid(buffer[..16], bigEndian: true)
            : null;
    }

    static string EncodeCursor(Guid lastId)
    {
        Span<byte> buffer = stackalloc byte[24];
        lastId.TryWriteBytes(buffer[..16], bigEndian: true, out _);
        HMACSHA256.HashData(CursorKey, buffer[..16])[..8].CopyTo(buffer[16..]);
        return Base64Url.EncodeToString(buffer);
    }

    readonly record struct Row(Guid Id, string Email, string FullName, string Role, long Version, DateTime CreatedAt, DateTime UpdatedAt)
    {
        public static Row Read(NpgsqlDataReader reader) => new(
            reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
            reader.GetInt64(4), reader.GetDateTime(5), reader.GetDateTime(6));

        public void Write(Utf8JsonWriter json)
        {
            json.WriteStartObject();
            json.WriteString("id", Id);
            json.WriteString("email", Email);
            json.WriteString("fullName", FullName);
            json.WriteString("role", Role);
            json.WriteString("createdAt", CreatedAt);
            json.WriteString("updatedAt", UpdatedAt);
            json.WriteEndObject();
        }
    }
}
