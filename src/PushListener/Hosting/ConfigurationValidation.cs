using Microsoft.Extensions.Options;

namespace PushListener.Hosting;

/// <summary>
/// Validates every options section registered with <c>ValidateOnStart</c> at once, right after the host is built and
/// before anything (middleware, the pipeline) reads one, so start-up fails with one list of every error in every section.
/// </summary>
public static class ConfigurationValidation
{
    /// <exception cref="ConfigurationErrorsException">One or more settings are invalid; the message lists them all.</exception>
    public static WebApplication ValidatePushListenerConfiguration(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        try
        {
            app.Services.GetService<IStartupValidator>()?.Validate();
        }
        catch (OptionsValidationException ex)
        {
            throw new ConfigurationErrorsException([.. ex.Failures]);
        }
        catch (AggregateException ex) when (ex.InnerExceptions.All(e => e is OptionsValidationException))
        {
            throw new ConfigurationErrorsException([.. ex.InnerExceptions.Cast<OptionsValidationException>().SelectMany(e => e.Failures).Distinct(StringComparer.Ordinal)]);
        }
        catch (InvalidOperationException ex) when (ex.Message.StartsWith("Failed to convert configuration value", StringComparison.Ordinal))
        {
            // A value of the wrong type (the binder's message names the setting).
            throw new ConfigurationErrorsException([ex.Message]);
        }

        return app;
    }
}
