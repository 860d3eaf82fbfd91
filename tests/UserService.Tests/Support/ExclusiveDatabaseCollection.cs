namespace UserService.Tests.Support;

/// <summary>
/// Tests that assert on the whole users table (what changed since they started) run alone: xunit runs collections that
/// disable parallelization after the parallel ones, one at a time.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ExclusiveDatabaseCollection
{
    public const string Name = "Exclusive database";
}
