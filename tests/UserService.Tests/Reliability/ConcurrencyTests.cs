using System.Net;
using System.Net.Http.Json;
using UserService.Features.Users;

namespace UserService.Tests.Reliability;

/// <summary>
/// Writers racing on one user: the database decides, exactly one conditional writer wins, and no acknowledged
/// write is lost. (Racing PATCHes with one If-Match live in UpdateTests.)
/// </summary>
public sealed class ConcurrencyTests(App app)
{
    const int Racers = 12;

    Task<HttpResponseMessage> SendAsync(HttpMethod method, Guid id, string? ifMatch = null, string? json = null)
    {
        var request = new HttpRequestMessage(method, $"/api/users/{id}");
        if (json is not null)
        {
            request.Content = Json.Body(json);
        }

        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        return app.Client.SendAsync(request);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Racing_deletes_give_one_204_and_the_rest_404_or_with_if_match_412(bool withIfMatch)
    {
        var (user, etag) = await app.CreateAsync();

        var responses = await Task.WhenAll(Enumerable.Range(0, Racers).Select(_ => SendAsync(HttpMethod.Delete, user.Id, withIfMatch ? etag : null)));

        var statuses = responses.Select(r => (int)r.StatusCode).ToList();
        TestReport.Line($"{Racers} racing DELETEs (If-Match: {withIfMatch}): {string.Join(", ", statuses.GroupBy(s => s).Select(g => $"{g.Key}x{g.Count()}"))}");
        Assert.Equal(1, statuses.Count(s => s == 204));
        // Without If-Match there is no precondition to fail: a delete that lost the race finds nobody.
        Assert.All(statuses.Where(s => s != 204), s => Assert.Contains(s, withIfMatch ? new[] { 404, 412 } : new[] { 404 }));
        foreach (var loser in responses.Where(r => r.StatusCode != HttpStatusCode.NoContent))
        {
            await loser.AssertProblemAsync(loser.StatusCode);
        }

        Assert.Null(await app.RowAsync(user.Id));
    }

    [Fact]
    public async Task Racing_patches_and_deletes_with_the_same_if_match_have_exactly_one_winner()
    {
        var (user, etag) = await app.CreateAsync(fullName: "Contested");

        var responses = await Task.WhenAll(Enumerable.Range(0, Racers).Select(i => i % 2 == 0
            ? SendAsync(HttpMethod.Patch, user.Id, etag, $$"""{"fullName":"Racer {{i}}"}""")
            : SendAsync(HttpMethod.Delete, user.Id, etag)));

        var statuses = responses.Select(r => (int)r.StatusCode).ToList();
        TestReport.Line($"{Racers} racing PATCHes and DELETEs on one If-Match: {string.Join(", ", statuses.GroupBy(s => s).Select(g => $"{g.Key}x{g.Count()}"))}");
        Assert.Equal(1, statuses.Count(s => s is 200 or 204));
        Assert.All(statuses.Where(s => s is not (200 or 204)), s => Assert.Contains(s, new[] { 404, 412 }));
        var row = await app.RowAsync(user.Id);
        if (statuses.Contains(204))
        {
            Assert.Null(row);
        }
        else
        {
            var winner = await responses.Single(r => r.StatusCode == HttpStatusCode.OK).Content.ReadFromJsonAsync<UserResponse>();
            Assert.Equal((winner!.FullName, 2L), (row!.FullName, row.Version));
        }
    }

    [Fact]
    public async Task Racing_unconditional_patches_all_succeed_and_none_is_lost()
    {
        var (user, _) = await app.CreateAsync();

        var responses = await Task.WhenAll(Enumerable.Range(0, Racers).Select(i => SendAsync(HttpMethod.Patch, user.Id, json: $$"""{"fullName":"Writer {{i}}"}""")));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var etags = responses.Select(r => r.Headers.ETag!.Tag).ToList();
        var bodies = await Task.WhenAll(responses.Select(r => r.Content.ReadFromJsonAsync<UserResponse>()));
        var row = await app.RowAsync(user.Id);
        // Each write saw its own version (no two acknowledged on the same one), and the last of them is the row.
        Assert.Equal(Racers, etags.Distinct().Count());
        Assert.Equal(1L + Racers, row!.Version);
        var last = etags.IndexOf($"\"{row.Version}\"");
        Assert.Equal(row.FullName, bodies[last]!.FullName);
    }
}
