using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Dapper;
using Npgsql;

namespace UserService.Tests.Reliability;

/// <summary>
/// Password hashing under admission control, on the real process: a sign-up storm beyond what the hashing threads
/// can take gets 503 with <c>Retry-After</c> at once (never a time-out or a 500), the rest are created, and reads go
/// on meanwhile.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class PasswordHashingTests
{
    [Theory]
    // The queue is full: refused at once; the two queued wait for the thread, so at least they are created.
    [InlineData("2", "00:05:00", 2)]
    // Room in the queue, but no thread within 50 ms: refused then. How many hashes fit in 50 ms depends on the
    // machine's load (niced hashing threads starve on a busy one), so only the first, which finds the thread idle, is sure.
    [InlineData("1000", "00:00:00.050", 1)]
    public async Task A_sign_up_storm_beyond_the_hashing_capacity_gets_503_with_retry_after_and_reads_go_on(string queueLimit, string maxQueueWait, int surelyCreated)
    {
        await using var service = ServiceProcess.Start(settings: new Dictionary<string, string>
        {
            ["PasswordHashing__Concurrency"] = "1",
            ["PasswordHashing__QueueLimit"] = queueLimit,
            ["PasswordHashing__MaxQueueWait"] = maxQueueWait,
        });
        await service.WaitUntilReadyAsync();
        var prefix = $"storm-{Guid.NewGuid():N}"[..20];

        var storm = Enumerable.Range(0, 24).Select(async i =>
        {
            using var rsp = await service.Client.PostAsJsonAsync("/api/users",
                new { email = $"{prefix}-{i}@example.com", password = TestUsers.Password, fullName = "Storm" });
            return (rsp.StatusCode, RetryAfter: rsp.Headers.RetryAfter?.Delta, rsp.Content.Headers.ContentType?.MediaType);
        }).ToList();
        var read = await service.Client.GetAsync("/api/users/me");
        var answers = await Task.WhenAll(storm);

        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.All(answers, a => Assert.Contains(a.StatusCode, new[] { HttpStatusCode.Created, HttpStatusCode.ServiceUnavailable }));
        var refused = answers.Where(a => a.StatusCode == HttpStatusCode.ServiceUnavailable).ToList();
        Assert.NotEmpty(refused);
        Assert.All(refused, a =>
        {
            Assert.True(a.RetryAfter >= TimeSpan.FromSeconds(1), "a 503 without Retry-After");
            Assert.Equal("application/problem+json", a.MediaType);
        });

        var created = answers.Count(a => a.StatusCode == HttpStatusCode.Created);
        Assert.True(created >= surelyCreated, $"only {created} of 24 sign-ups were created; at least {surelyCreated} should have been");
        await using var db = NpgsqlDataSource.Create(App.ConnectionString);
        await using var connection = await db.OpenConnectionAsync();
        Assert.Equal(created, await connection.ExecuteScalarAsync<int>("SELECT count(*)::int FROM users WHERE email LIKE @p", new { p = prefix + "-%" }));
        Assert.Contains(service.Output, l => l.Contains("Password hashing at capacity, answering 503", StringComparison.Ordinal));
        Assert.DoesNotContain(service.Output, l => l.Contains("Unhandled exception", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Settings_come_from_beside_the_binary_whatever_the_working_directory()
    {
        // appsettings.json quiets Microsoft.AspNetCore to warnings; missed, every request would log at Information.
        await using var service = ServiceProcess.Start(workingDirectory: Path.GetTempPath());
        await service.WaitUntilReadyAsync(signIn: false);
        for (var i = 0; i < 3; i++)
        {
            (await service.Client.GetAsync("/health/live")).EnsureSuccessStatusCode();
            (await service.Client.GetAsync("/api/users/me")).Dispose();
        }

        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromMilliseconds(500) && !service.Output.Any(l => l.Contains("Microsoft.AspNetCore.Hosting", StringComparison.Ordinal)))
        {
            await Task.Delay(50);
        }

        Assert.Contains(service.Output, l => l.Contains("Database ready at", StringComparison.Ordinal));
        Assert.DoesNotContain(service.Output, l => l.Contains("Microsoft.AspNetCore.Hosting", StringComparison.Ordinal));
    }
}
