using System.Globalization;
using System.Net;
using UserService.Features.Users;
using UserService.Features.Users.Create;

namespace UserService.Tests.Features.Users;

public sealed class CreateTests(App app)
{
    [Fact]
    public async Task Sign_up_returns_201_with_location_etag_and_the_user()
    {
        var email = TestUsers.UniqueEmail("ada");

        var (rsp, user) = await app.Client.POSTAsync<Endpoint, Request, UserResponse>(
            new() { Email = $"  {email.ToUpperInvariant()} ", Password = TestUsers.Password, FullName = "  Ada Lovelace " });

        Assert.Equal(HttpStatusCode.Created, rsp.StatusCode);
        Assert.Equal($"/api/users/{user.Id}", rsp.Headers.Location?.OriginalString);
        Assert.Equal("\"1\"", rsp.Headers.ETag?.Tag);
        Assert.False(rsp.Headers.ETag!.IsWeak);
        Assert.Equal(7, user.Id.Version);
        Assert.Equal(email, user.Email); // the canonical form: trimmed, lower case
        Assert.Equal("Ada Lovelace", user.FullName);
        Assert.Equal("user", user.Role);
        Assert.Equal(DateTimeKind.Utc, user.CreatedAt.Kind);
        Assert.Equal(user.CreatedAt, user.UpdatedAt);

        var row = await app.RowAsync(user.Id);
        Assert.NotNull(row);
        Assert.Equal(email, row.Email);
        Assert.Equal("Ada Lovelace", row.FullName);
        Assert.Equal("user", row.Role);
        Assert.Equal(1, row.Version);
    }

    [Fact]
    public async Task Password_is_stored_only_as_a_salted_slow_hash_and_never_returned()
    {
        var email = TestUsers.UniqueEmail();
        var rsp = await app.Client.PostAsync("/api/users",
            Json.Of(TestUsers.SignUp(email, "Ada")));
        var body = await rsp.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.Created, rsp.StatusCode);
        Assert.DoesNotContain("password", body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(TestUsers.Password, body, StringComparison.Ordinal);

        var user = System.Text.Json.JsonSerializer.Deserialize<UserResponse>(body, System.Text.Json.JsonSerializerOptions.Web)!;
        var hash = (await app.RowAsync(user.Id))!.PasswordHash;
        Assert.DoesNotContain(TestUsers.Password, hash, StringComparison.Ordinal);

        // Argon2id in the PHC string format, at least OWASP's cost: 19 MiB, 2 passes, one lane, a 16-byte salt.
        var phc = TestUsers.Argon2idHash().Match(hash);
        Assert.True(phc.Success, $"not an Argon2id PHC string: {hash}");
        Assert.True(int.Parse(phc.Groups["m"].Value, CultureInfo.InvariantCulture) >= 19 * 1024);
        Assert.True(int.Parse(phc.Groups["t"].Value, CultureInfo.InvariantCulture) >= 2);
        Assert.Equal(16, Convert.FromBase64String(phc.Groups["salt"].Value + "==").Length);

        var (other, _) = await app.CreateAsync();
        Assert.NotEqual(hash, (await app.RowAsync(other.Id))!.PasswordHash);
    }

    [Fact]
    public async Task Duplicate_email_differing_only_in_case_returns_409()
    {
        var email = TestUsers.UniqueEmail();
        await app.CreateAsync(email);

        var (rsp, _) = await app.Client.POSTAsync<Endpoint, Request, UserResponse>(
            new() { Email = email.ToUpperInvariant(), Password = TestUsers.Password, FullName = "Someone Else" });

        await rsp.AssertProblemAsync(HttpStatusCode.Conflict, "email");
        Assert.Equal(1, await app.CountByEmailAsync(email));
    }

    [Fact]
    public async Task Twenty_parallel_sign_ups_with_one_email_give_one_201_and_nineteen_409()
    {
        var email = TestUsers.UniqueEmail("race");

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            app.Client.POSTAsync<Endpoint, Request, UserResponse>(
                new() { Email = i % 2 == 0 ? email : email.ToUpperInvariant(), Password = TestUsers.Password, FullName = $"Racer {i}" })));

        var statuses = responses.Select(r => r.Response.StatusCode).ToList();
        Assert.Equal(1, statuses.Count(s => s == HttpStatusCode.Created));
        Assert.Equal(19, statuses.Count(s => s == HttpStatusCode.Conflict));
        Assert.Equal(1, await app.CountByEmailAsync(email));
    }

    /// <summary>
    /// Each body carries the test's marker in a field that would be stored if the request got through (the email where
    /// it is valid, the full name where it is valid), so "creates nothing" is checked against the row it would create.
    /// </summary>
    public static TheoryData<string, string> InvalidBodies => new()
    {
        { """{"password":"correct horse battery","fullName":"Ada {marker}"}""", "email" },
        { """{"email":null,"password":"correct horse battery","fullName":"Ada {marker}"}""", "email" },
        { """{"email":"not-an-email","password":"correct horse battery","fullName":"Ada {marker}"}""", "email" },
        { """{"email":"Ada <{marker}@example.com>","password":"correct horse battery","fullName":"Ada {marker}"}""", "email" },
        { """{"email":"{marker}@exa mple.com","password":"correct horse battery","fullName":"Ada {marker}"}""", "email" },
        { $$"""{"email":"{marker}{{new string('a', 243)}}@example.com","password":"correct horse battery","fullName":"Ada {marker}"}""", "email" },
        { """{"email":"{marker}\u200b@example.com","password":"correct horse battery","fullName":"Ada {marker}"}""", "email" },
        { """{"email":"\u0430{marker}@example.com","password":"correct horse battery","fullName":"Ada {marker}"}""", "email" },
        { """{"email":"{marker}@example.com","password":"short","fullName":"Ada"}""", "password" },
        { $$"""{"email":"{marker}@example.com","password":"{{new string('p', 129)}}","fullName":"Ada"}""", "password" },
        { """{"email":"{marker}@example.com","password":"correct horse battery","fullName":"   "}""", "fullName" },
        { $$"""{"email":"{marker}@example.com","password":"correct horse battery","fullName":"{{new string('n', 201)}}"}""", "fullName" },
        { """{"email":"{marker}@example.com","password":"correct horse battery","fullName":"Ada\u0000Lovelace"}""", "fullName" },
        { """{"email":"{marker}@example.com","password":"correct horse battery","fullName":"Ada\nLovelace"}""", "fullName" },
        { """{"email":"{marker}@example.com","password":"correct horse battery","fullName":"Ada\u202eLovelace"}""", "fullName" },
    };

    [Theory, MemberData(nameof(InvalidBodies))]
    public async Task Invalid_field_returns_400_naming_it_and_creates_nothing(string json, string field)
    {
        Assert.Contains("{marker}", json, StringComparison.Ordinal);
        var marker = $"invalid-{Guid.NewGuid():N}";
        var rsp = await app.Client.PostAsync("/api/users", Json.Body(json.Replace("{marker}", marker, StringComparison.Ordinal)));

        await rsp.AssertProblemAsync(HttpStatusCode.BadRequest, field);
        await using var connection = await app.Db.OpenConnectionAsync();
        Assert.Equal(0, await Dapper.SqlMapper.ExecuteScalarAsync<long>(connection,
            "SELECT count(*) FROM users WHERE email LIKE @pattern OR full_name LIKE @pattern", new { pattern = $"%{marker}%" }));
    }

    [Fact]
    public async Task Email_of_exactly_254_characters_is_accepted()
    {
        var email = $"{Guid.NewGuid():N}{new string('a', 254 - 32 - "@example.com".Length)}@example.com";
        Assert.Equal(254, email.Length);

        var (user, _) = await app.CreateAsync(email);

        Assert.Equal(email, user.Email);
    }

    [Theory]
    [InlineData("id")]
    [InlineData("role")]
    [InlineData("createdAt")]
    [InlineData("passwordHash")]
    public async Task Unknown_property_returns_400_and_creates_nothing(string property)
    {
        var email = TestUsers.UniqueEmail();
        var rsp = await app.Client.PostAsync("/api/users", Json.Body(
            $$"""{"email":"{{email}}","password":"{{TestUsers.Password}}","fullName":"Ada","{{property}}":"admin"}"""));

        await rsp.AssertProblemAsync(HttpStatusCode.BadRequest, property);
        Assert.Equal(0, await app.CountByEmailAsync(email));
    }

    [Theory]
    [InlineData("""{"email": """)]
    [InlineData("""{"email":"a@example.com",}""")]
    [InlineData("""[]""")]
    [InlineData("""{"email":42,"password":"correct horse battery","fullName":"Ada"}""")]
    [InlineData("""{"email":"a@example.com","password":["x"],"fullName":"Ada"}""")]
    [InlineData("""{"email":"a@example.com","email":"b@example.com","password":"correct horse battery","fullName":"Ada"}""")]
    public async Task Malformed_json_or_wrong_types_return_400(string json)
    {
        var rsp = await app.Client.PostAsync("/api/users", Json.Body(json));

        await rsp.AssertProblemAsync(HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("application/xml")]
    public async Task Non_json_body_returns_415(string mediaType)
    {
        var email = TestUsers.UniqueEmail();
        var rsp = await app.Client.PostAsync("/api/users",
            Json.Of(TestUsers.SignUp(email, "Ada"), mediaType));

        await rsp.AssertProblemAsync(HttpStatusCode.UnsupportedMediaType);
        Assert.Equal(0, await app.CountByEmailAsync(email));
    }

    [Fact]
    public async Task Body_over_64_KiB_returns_413()
    {
        var email = TestUsers.UniqueEmail();
        var rsp = await app.Client.PostAsync("/api/users",
            Json.Of(TestUsers.SignUp(email, new string('x', 64 * 1024))));

        await rsp.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal(0, await app.CountByEmailAsync(email));
    }
}
