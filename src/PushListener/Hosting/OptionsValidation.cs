using Microsoft.Extensions.Options;

namespace PushListener.Hosting;

/// <summary>An options class that lists its own errors, each naming the setting.</summary>
internal interface IValidatedOptions
{
    IEnumerable<string> Validate();
}

/// <summary>Binds a section and validates it at start-up with the options' own <see cref="IValidatedOptions.Validate"/>.</summary>
internal static class OptionsValidation
{
    public static OptionsBuilder<TOptions> AddValidatedOptions<TOptions>(this IServiceCollection services, IConfiguration configuration, string section)
        where TOptions : class, IValidatedOptions
    {
        services.AddSingleton<IValidateOptions<TOptions>, SelfValidator<TOptions>>();
        return services.AddOptions<TOptions>().Bind(configuration.GetSection(section)).ValidateOnStart();
    }

    private sealed class SelfValidator<TOptions> : IValidateOptions<TOptions>
        where TOptions : class, IValidatedOptions
    {
        public ValidateOptionsResult Validate(string? name, TOptions options)
        {
            var errors = options.Validate().ToList();
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}
