namespace PushListener.Hosting;

/// <summary>The configuration has errors; <see cref="Errors"/> lists every one, each naming its setting.</summary>
public sealed class ConfigurationErrorsException : Exception
{
    public ConfigurationErrorsException()
        : this([])
    {
    }

    public ConfigurationErrorsException(string message)
        : this([message])
    {
    }

    public ConfigurationErrorsException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [message];
    }

    public ConfigurationErrorsException(IReadOnlyList<string> errors)
        : base(Describe(errors))
    {
        Errors = errors;
    }

    /// <summary>Each error, naming its setting.</summary>
    public IReadOnlyList<string> Errors { get; }

    private static string Describe(IReadOnlyList<string> errors) =>
        $"The configuration has {errors.Count} error(s):" + string.Concat(errors.Select(e => Environment.NewLine + "  - " + e));
}
