namespace UserService.Tests.Support;

/// <summary>
/// Tests that start real service processes run one class at a time: on a 2-core machine several concurrent
/// process starts would turn their timing figures into noise.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessCollection
{
    public const string Name = "Real service processes";
}
