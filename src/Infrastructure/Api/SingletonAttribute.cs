namespace UserService.Infrastructure.Api;

/// <summary>
/// A slice's own service that lives as long as the process (the list's cursor codec): <see cref="ApiExtensions.AddApi"/>
/// registers every class that carries it, so the service comes with its folder and no list elsewhere names it.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
internal sealed class SingletonAttribute : Attribute;
