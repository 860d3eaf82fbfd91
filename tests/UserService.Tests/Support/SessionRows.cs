using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using UserService.Features.Auth;

namespace UserService.Tests.Support;

/// <summary>Sessions as PostgreSQL has them, and the requests every session test sends.</summary>
internal static class SessionRows
{
    internal sealed record Row(Guid Id, Guid UserId, int Generation, DateTime CreatedAt, DateTime LastUsedAt);

    internal static async Task<IReadOnlyList<Row>> SessionsAsync(this App app, Guid userId)
    {
        await using var connection = await app.Db.OpenConnectionAsync();
        return [.. await connection.QueryAsync<Row>(
            "SELECT id, user_id AS userid, generation, created_at AS createdat, last_used_at AS lastusedat FROM sessions WHERE user_id = @userId ORDER BY created_at",
            new { userId })];
    }

    /// <summary>How many refresh-token hashes the session has (spent ones included).</summary>
    internal static async Task<long> TokenHashCountAsync(this App app, Guid sessionId)
    {
        await using var connection = await app.Db.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM refresh_tokens WHERE session_id = @sessionId", new { sessionId });
    }

    internal static Task<HttpResponseMessage> RefreshAsync(this HttpClient client, string refreshToken) =>
        client.PostAsJsonAsync("/api/auth/refresh", new { refreshToken });

    internal static Task<HttpResponseMessage> LogoutAsync(this HttpClient client, string refreshToken) =>
        client.PostAsJsonAsync("/api/auth/logout", new { refreshToken });

    internal static async Task<TokenResponse> ReadTokensAsync(this HttpResponseMessage rsp)
    {
        var body = await rsp.Content.ReadAsStringAsync();
        Assert.True(rsp.IsSuccessStatusCode, $"{(int)rsp.StatusCode}: {body}");
        return JsonSerializer.Deserialize<TokenResponse>(body, JsonSerializerOptions.Web)!;
    }

    /// <summary>A problem body without its traceId, for comparing two answers that must be the same.</summary>
    internal static string Comparable(JsonElement problem) =>
        string.Join("|", problem.EnumerateObject().Where(p => p.Name != "traceId").Select(p => $"{p.Name}={p.Value}"));
}
