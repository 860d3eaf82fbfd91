using System.Globalization;
using System.Net;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;

namespace UserService.Infrastructure.Security;

/// <summary>Bound from <c>Throttling</c>: sign-in attempts per account, and sign-in, sign-up and refresh requests per client address, that each window allows.</summary>
internal sealed class ThrottlingOptions
{
    public const string Section = "Throttling";

    /// <summary>Attempts per account (email) per window, whatever address they come from.</summary>
    public int AccountPermitLimit { get; set; } = 5;

    /// <summary>Attempts per client address per window, whatever account they target.</summary>
    public int AddressPermitLimit { get; set; } = 20;

    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>
/// Sign-in throttling, per account and per client address, counted in PostgreSQL (migration 0004) so that the limits
/// hold across every instance: one statement per attempt. A key's fixed window starts at its first attempt and
/// its end comes from the database's clock, so instances with skewed clocks still agree. Attempts refused count too.
/// A database failure while counting is thrown like any other (503 with <c>Retry-After</c>): an attempt is never let
/// through uncounted.
/// </summary>
internal sealed class SignInThrottle(NpgsqlDataSource db, IOptions<ThrottlingOptions> options)
{
    const string CountSql = """
        INSERT INTO throttle_windows AS t (key, window_end, hits)
        VALUES (@key, now() + make_interval(secs => @windowSeconds), 1)
        ON CONFLICT (key) DO UPDATE
            SET hits = CASE WHEN t.window_end > now() THEN t.hits + 1 ELSE 1 END,
                window_end = CASE WHEN t.window_end > now() THEN t.window_end ELSE excluded.window_end END
        RETURNING hits, extract(epoch FROM window_end - now())::float8
        """;

    /// <summary>
    /// True when the account may try now; otherwise the 429 is already written. Keyed on the canonical form of the
    /// email (<see cref="EmailAddress"/>), so no other spelling of one account gets a fresh window. Every place that
    /// verifies a password asks here first: sign-in, and a PATCH that changes one's own password.
    /// </summary>
    public Task<bool> AdmitAccountAsync(HttpContext context, string email, CancellationToken ct) =>
        AdmitAsync(context, AccountKey(email), options.Value.AccountPermitLimit, ct);

    /// <summary>
    /// True when the client address may try now; otherwise the 429 is already written. The address is the one the
    /// forwarded-headers middleware resolved (a configured proxy's <c>X-Forwarded-For</c>, else the peer).
    /// </summary>
    public Task<bool> AdmitAddressAsync(HttpContext context) =>
        AdmitAsync(context, AddressKey(context.Connection.RemoteIpAddress), options.Value.AddressPermitLimit, context.RequestAborted);

    public static string AccountKey(string email) => "account:" + EmailAddress.Key(email);

    /// <summary>An IPv4 client seen through a dual-stack socket is the same client as over IPv4.</summary>
    public static string AddressKey(IPAddress? address) =>
        "address:" + (address is null ? "unknown" : (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString());

    async Task<bool> AdmitAsync(HttpContext context, string key, int limit, CancellationToken ct)
    {
        (int Hits, double SecondsLeft) count;
        await using (var connection = await db.OpenConnectionAsync(ct))
        {
            count = await connection.QuerySingleAsync<(int, double)>(new CommandDefinition(
                CountSql, new { key, windowSeconds = options.Value.Window.TotalSeconds }, cancellationToken: ct));
        }

        if (count.Hits <= limit)
        {
            return true;
        }

        await WriteThrottledAsync(context, TimeSpan.FromSeconds(count.SecondsLeft));
        return false;
    }

    /// <summary>A 429 problem with <c>Retry-After</c> in whole seconds until the window's end, rounded up.</summary>
    static Task WriteThrottledAsync(HttpContext context, TimeSpan retryAfter)
    {
        context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        return Problems.WriteAsync(context, StatusCodes.Status429TooManyRequests, "Too many sign-in attempts. Retry later.");
    }
}
