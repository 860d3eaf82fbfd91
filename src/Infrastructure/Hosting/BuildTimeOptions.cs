using Microsoft.Extensions.Options;

namespace UserService.Infrastructure.Hosting;

internal static class BuildTimeOptions
{
    /// <summary>
    /// A section needed while the server and pipeline are built, before the container exists (the metrics port, whether
    /// the OpenAPI document is served): bound once, here, and that one instance is what <see cref="IOptions{T}"/> gives
    /// and what <paramref name="isValid"/>, if any, checks at start with every other section, so that an invalid value stops
    /// startup with the same one line (RunServiceAsync) before anything uses it.
    /// </summary>
    public static T AddBuildTimeOptions<T>(this WebApplicationBuilder builder, string section, Func<T, bool>? isValid = null, string rule = "")
        where T : class, new()
    {
        var value = builder.Configuration.GetSection(section).Get<T>() ?? new T();
        builder.Services.AddSingleton(Options.Create(value));
        if (isValid is not null)
        {
            builder.Services.AddOptions<T>().Validate(_ => isValid(value), rule).ValidateOnStart();
        }

        return value;
    }
}
