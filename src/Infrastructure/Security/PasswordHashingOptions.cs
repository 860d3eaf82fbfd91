namespace UserService.Infrastructure.Security;

/// <summary>Bound from the <c>PasswordHashing</c> section: the cost of a hash and how many may run at once.</summary>
internal sealed class PasswordHashingOptions
{
    public const string Section = "PasswordHashing";

    /// <summary>Argon2id memory in KiB; OWASP's floor is 19 MiB (19,456 KiB), which is also the minimum accepted.</summary>
    public int MemoryKiB { get; set; } = MinimumMemoryKiB;

    /// <summary>Argon2id passes (time cost); at least 2.</summary>
    public int Passes { get; set; } = MinimumPasses;

    /// <summary>Hashes computed at once, each on a dedicated low-priority thread; 0 means one per core.</summary>
    public int Concurrency { get; set; }

    /// <summary>Hashes that may wait for a free thread; beyond that, 503 with <c>Retry-After</c> at once.</summary>
    public int QueueLimit { get; set; } = 64;

    /// <summary>How long a hash may wait in the queue before it is given up with a 503.</summary>
    public TimeSpan MaxQueueWait { get; set; } = TimeSpan.FromSeconds(2);

    public const int MinimumMemoryKiB = 19 * 1024;
    public const int MinimumPasses = 2;

    public int EffectiveConcurrency => Concurrency > 0 ? Concurrency : Environment.ProcessorCount;
}
