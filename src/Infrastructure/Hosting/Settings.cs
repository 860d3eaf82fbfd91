using Microsoft.Extensions.Options;

namespace UserService.Infrastructure.Hosting;

/// <summary>
/// One options class per section, bound once and checked when the host starts, before any hook runs: an invalid value,
/// or one the binder cannot even convert ("abc" for a TimeSpan), stops startup with one line (RunServiceAsync) that
/// lists every failure.
/// </summary>
internal static class Settings
{
    /// <summary>Binds <typeparamref name="T"/> from <paramref name="section"/>; chain <c>Validate</c> for its rules.</summary>
    public static OptionsBuilder<T> AddSettings<T>(this IServiceCollection services, string section)
        where T : class =>
        services.AddOptions<T>()
            .Configure<IConfiguration>((options, configuration) =>
            {
                if (Bind(configuration.GetSection(section), options) is { } unreadable)
                {
                    throw new OptionsValidationException(Options.DefaultName, typeof(T), [unreadable]);
                }
            })
            .ValidateOnStart();

    /// <summary>
    /// A section needed while the server and pipeline are built, before the container exists (the metrics port, whether
    /// the OpenAPI document is served, the token settings that endpoints take when FastEndpoints builds them): bound
    /// once, here, and that one instance is what <see cref="IOptions{T}"/> gives. Nothing is thrown now: a value that
    /// cannot be converted leaves the defaults in place and, like <paramref name="isValid"/> failing, stops startup with
    /// the same one line as every other section, before anything has used it.
    /// </summary>
    public static T AddBuildTimeOptions<T>(this WebApplicationBuilder builder, string section, Func<T, bool>? isValid = null, string rule = "")
        where T : class, new()
    {
        var value = new T();
        var unreadable = Bind(builder.Configuration.GetSection(section), value);
        if (unreadable is not null)
        {
            value = new T();
        }

        builder.Services.AddSingleton(Options.Create(value));
        var validation = builder.Services.AddOptions<T>();
        if (unreadable is not null)
        {
            validation.Validate(_ => false, unreadable);
        }
        else if (isValid is not null)
        {
            validation.Validate(_ => isValid(value), rule);
        }

        validation.ValidateOnStart();
        return value;
    }

    /// <summary>Binds, and returns the binder's own message ("Failed to convert configuration value 'abc' at 'Jwt:Lifetime' to type 'System.TimeSpan'.") instead of throwing it.</summary>
    static string? Bind(IConfigurationSection section, object options)
    {
        try
        {
            section.Bind(options);
            return null;
        }
        catch (InvalidOperationException e)
        {
            return e.Message;
        }
    }
}
