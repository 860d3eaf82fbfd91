using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace UserService.Infrastructure.Security;

/// <summary>Bound from <c>SignIn</c>: how many sign-in attempts each window allows.</summary>
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
/// The per-account half of sign-in throttling (the per-address half is the rate-limiter policy on the
/// endpoint). It needs the email from the body, so the endpoint asks it after binding.
/// </summary>
internal sealed class SignInThrottle(IOptions<ThrottlingOptions> options) : IDisposable
{
    readonly PartitionedRateLimiter<string> byAccount = PartitionedRateLimiter.Create<string, string>(account =>
        RateLimitPartition.GetFixedWindowLimiter(account, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = options.Value.AccountPermitLimit,
            Window = options.Value.Window,
            QueueLimit = 0,
        }));

    /// <summary>
    /// True when the account may try now; otherwise how long until it may. Keyed on the canonical form of the email
    /// (<see cref="EmailAddress"/>), so no other spelling of one account gets a fresh bucket. Every place that verifies
    /// a password asks here first: sign-in, and a PATCH that changes one's own password.
    /// </summary>
    public bool TryAcquire(string email, out TimeSpan retryAfter)
    {
        using var lease = byAccount.AttemptAcquire(EmailAddress.Key(email));
        retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : options.Value.Window;
        return lease.IsAcquired;
    }

    public void Dispose() => byAccount.Dispose();
}
