using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Dapper;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Npgsql;

namespace UserService.Infrastructure.Security;

/// <summary>
/// Revocation: a token is honoured only while its user exists with the same security stamp and role. Deleting a
/// user, changing their password or their role rotates or removes the stamp, so their tokens stop at once.
/// <para>
/// Without a statement per request: what the database says of a user is cached in this process and kept current by
/// <see cref="StampListener"/>, which LISTENs for the ids that a trigger on <c>users</c> notifies on every delete and
/// every stamp or role change, on every instance. While the listener is not connected, nothing is cached and every
/// request reads the row (a notification missed meanwhile cannot leave a stale entry behind), and the whole cache is
/// dropped whenever the listener's connection is lost or (re)established.
/// </para>
/// </summary>
internal sealed class SecurityStamps
{
    /// <summary>The meter of <c>userservice.security_stamp.*</c>: lookups made, entries cached, listener state.</summary>
    public const string MeterName = "UserService.Security";

    const string StampSql = "SELECT security_stamp, role FROM users WHERE id = @id";

    /// <summary>Enough for every active user of a large deployment (about 100 bytes each); past it, the cache starts over.</summary>
    const int MaxEntries = 500_000;

    readonly ConcurrentDictionary<Guid, Entry> cache = new();

    // Moves on every invalidation. A read that started before a change may finish after the change's notification:
    // it fills the cache only if the generation it saw before reading has not moved (else the stale row would stay).
    long generation;
    volatile bool listening;

    long lookups;

    // Entries added since the last clear (never decremented: an overestimate only clears a little early). The
    // dictionary's own Count takes every one of its locks.
    int added;

    // Ticks (Environment.TickCount64) when the listener last heard from PostgreSQL; the cache is trusted only while
    // that is recent, so a connection that died without a reset cannot keep stale entries alive for long.
    long lastHeard;

    readonly NpgsqlDataSource db;

    public SecurityStamps(NpgsqlDataSource db, IMeterFactory meters)
    {
        // Stamps are read on the primary: a standby may lag behind the notification that already moved the generation.
        this.db = db.Primary();
        var meter = meters.Create(MeterName);
        meter.CreateObservableCounter("userservice.security_stamp.lookups", () => Interlocked.Read(ref lookups), "{lookup}",
            "Security stamps read from the database (cache misses, and every check while the listener is down)");
        meter.CreateObservableUpDownCounter("userservice.security_stamp.cached", () => cache.Count, "{user}",
            "Users whose security stamp is cached");
        meter.CreateObservableUpDownCounter("userservice.security_stamp.listening", () => IsTrusted ? 1 : 0, null,
            "1 while the stamp listener is connected and the cache is in use");
    }

    public async Task ValidateAsync(TokenValidatedContext context)
    {
        // Outside /api (health, metrics, Swagger) no route acts on the caller: a token sent there is ignored rather
        // than checked, so a probe that carries one never depends on the database (a /health/live that turned 503
        // while PostgreSQL is down would get a healthy process restarted).
        if (!context.HttpContext.Request.Path.StartsWithSegments(ApiExtensions.BasePath))
        {
            context.NoResult();
            return;
        }

        var principal = context.Principal!;
        // Exactly one role claim: an array of roles would let authorization see one the database never granted.
        var roles = principal.FindAll(Caller.RoleClaim).Take(2).ToList();
        if (!Guid.TryParse(principal.FindFirst(Tokens.StampClaim)?.Value, out var stamp) || roles.Count != 1
            || !Guid.TryParse(principal.FindFirst("sub")?.Value, out var userId))
        {
            context.Fail("The token is not one this service issued.");
            return;
        }

        var current = await CurrentAsync(userId, context.HttpContext.RequestAborted);
        if (current == Entry.Absent || current.Stamp != stamp || current.Role != roles[0].Value)
        {
            context.Fail("The token has been revoked.");
        }
    }

    async ValueTask<Entry> CurrentAsync(Guid userId, CancellationToken ct)
    {
        var trusted = IsTrusted;
        if (trusted && cache.TryGetValue(userId, out var cached))
        {
            return cached;
        }

        var seen = Interlocked.Read(ref generation);
        Interlocked.Increment(ref lookups);
        var entry = await ReadAsync(userId, ct);
        if (trusted && IsTrusted && Interlocked.Read(ref generation) == seen)
        {
            if (Interlocked.Increment(ref added) > MaxEntries)
            {
                Interlocked.Exchange(ref added, 0);
                cache.Clear();
            }

            cache[userId] = entry;

            // Forget, StartCaching and StopCaching move the generation before they remove anything: if one ran since
            // the check above, either this sees it and takes the entry back, or its removal comes after this write.
            if (!IsTrusted || Interlocked.Read(ref generation) != seen)
            {
                cache.TryRemove(KeyValuePair.Create(userId, entry));
            }
        }

        return entry;
    }

    Task<Entry> ReadAsync(Guid userId, CancellationToken ct) => ReadRetry.OnceAsync(async ct =>
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<StampRow>(
            new CommandDefinition(StampSql, new { id = userId }, cancellationToken: ct));
        return row is null ? Entry.Absent : new Entry(row.SecurityStamp, row.Role);
    }, ct);

    /// <summary>The user's stamp or role changed, or the user is gone: forget what this process knew.</summary>
    public void Forget(Guid userId)
    {
        Interlocked.Increment(ref generation);
        cache.TryRemove(userId, out _);
    }

    /// <summary>The listener is connected, LISTENing, and has heard its own probe: from now on, rows read may be kept.</summary>
    public void StartCaching()
    {
        Interlocked.Increment(ref generation);
        cache.Clear();
        Interlocked.Exchange(ref added, 0);
        Heard();
        listening = true;
    }

    /// <summary>The listener heard from PostgreSQL (a notification, its own probe included) just now.</summary>
    public void Heard() => Interlocked.Exchange(ref lastHeard, Environment.TickCount64);

    /// <summary>How long the cache is trusted after the listener last heard anything (its probes come more often).</summary>
    public static readonly TimeSpan MaxSilence = TimeSpan.FromSeconds(5);

    bool IsTrusted => listening && Environment.TickCount64 - Interlocked.Read(ref lastHeard) < (long)MaxSilence.TotalMilliseconds;

    /// <summary>The listener is gone (or going): notifications may be missed, so nothing cached can be trusted.</summary>
    public void StopCaching()
    {
        listening = false;
        Interlocked.Increment(ref generation);
        cache.Clear();
        Interlocked.Exchange(ref added, 0);
    }

    public bool IsCaching => listening;

    sealed class StampRow
    {
        public Guid SecurityStamp { get; init; }
        public string Role { get; init; } = "";
    }

    /// <summary>What the database says of a user; <see cref="Absent"/> when there is no such user.</summary>
    readonly record struct Entry(Guid Stamp, string Role)
    {
        public static readonly Entry Absent = new(Guid.Empty, "");
    }
}
