using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Dapper;
using NSec.Cryptography;

namespace UserService.Tests.Features.Auth;

/// <summary>
/// What is stored decides nothing by surprise: a standard Argon2id hash (of the UTF-8 password, as every other
/// implementation makes it) verifies, and a stored hash the service cannot read, or one asking for absurd costs,
/// is a wrong password (401), never a 500 or a hashing thread taken for hours.
/// </summary>
public sealed class StoredHashTests(App app)
{
    const string Password = "pässwörd with ünicode ✓";

    [Fact]
    public async Task A_standard_argon2id_hash_of_the_utf8_password_verifies()
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        var hash = PasswordBasedKeyDerivationAlgorithm
            .Argon2id(new Argon2Parameters { DegreeOfParallelism = 1, MemorySize = 19456, NumberOfPasses = 2 })
            .DeriveBytes(Encoding.UTF8.GetBytes(Password), salt, 32);
        var stored = $"$argon2id$v=19$m=19456,t=2,p=1${Unpadded(salt)}${Unpadded(hash)}";
        var email = await InsertAsync(stored);

        var rsp = await app.Anonymous.PostAsJsonAsync("/api/auth/token", new { email, password = Password });

        Assert.Equal(HttpStatusCode.OK, rsp.StatusCode);
    }

    [Theory]
    [InlineData("$2b$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy")] // bcrypt
    [InlineData("$argon2i$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g")]
    [InlineData("$argon2id$v=19$m=4000000000,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g")]
    [InlineData("$argon2id$v=19$m=19456,t=99999,p=1$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g")]
    [InlineData("$argon2id$v=19$m=1,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g")]
    [InlineData("$argon2id$v=19$m=19456,t=2,p=1$!!!$???")]
    [InlineData("not base64 at all!")]
    public async Task An_unreadable_or_absurd_stored_hash_is_a_wrong_password(string stored)
    {
        var email = await InsertAsync(stored);

        using var rsp = await app.Anonymous.PostAsJsonAsync("/api/auth/token", new { email, password = Password });

        await rsp.AssertProblemAsync(HttpStatusCode.Unauthorized);
    }

    async Task<string> InsertAsync(string stored)
    {
        var email = TestUsers.UniqueEmail("stored");
        await using var connection = await app.Db.OpenConnectionAsync();
        await connection.ExecuteAsync(
            "INSERT INTO users (id, email, password_hash, full_name) VALUES (@id, @email, @stored, 'Stored Hash')",
            new { id = Guid.CreateVersion7(), email, stored });
        return email;
    }

    static string Unpadded(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=');
}
