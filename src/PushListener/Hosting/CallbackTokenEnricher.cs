using Serilog.Core;
using Serilog.Events;

namespace PushListener.Hosting;

/// <summary>
/// Keeps callback tokens out of every log event: ASP.NET Core puts the request path into each event's scope
/// (<c>RequestPath</c>), and on a callback-token URL that path ends with the token, which is as good as a password.
/// </summary>
internal sealed class CallbackTokenEnricher(string endpointPath) : ILogEventEnricher
{
    private readonly string _prefix = endpointPath.TrimEnd('/') + "/";

    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
    {
        ArgumentNullException.ThrowIfNull(logEvent);
        ArgumentNullException.ThrowIfNull(propertyFactory);
        foreach (var name in (ReadOnlySpan<string>)["RequestPath", "Path"])
        {
            if (logEvent.Properties.TryGetValue(name, out var value) && value is ScalarValue { Value: string path }
                && path.Length > _prefix.Length && path.StartsWith(_prefix, StringComparison.OrdinalIgnoreCase) && !path.EndsWith("/***", StringComparison.Ordinal))
            {
                logEvent.AddOrUpdateProperty(propertyFactory.CreateProperty(name, _prefix + "***"));
            }
        }
    }
}
