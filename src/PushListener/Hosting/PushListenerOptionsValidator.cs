using System.Net;
using Microsoft.Extensions.Options;
using PushListener.Pipeline;

namespace PushListener.Hosting;

/// <summary>Collects every configuration error so start-up fails once, naming each setting.</summary>
internal sealed class PushListenerOptionsValidator(IEnumerable<HandlerTypeDefinition> handlerTypes, IConfiguration configuration) : IValidateOptions<PushListenerOptions>
{
    public ValidateOptionsResult Validate(string? name, PushListenerOptions options)
    {
        var errors = new List<string>();
        var endpoint = options.Endpoint;
        if (string.IsNullOrWhiteSpace(endpoint.Path) || !endpoint.Path.StartsWith('/') || endpoint.Path.Contains('?', StringComparison.Ordinal) || endpoint.Path.Contains('{', StringComparison.Ordinal))
        {
            errors.Add($"PushListener:Endpoint:Path must be an absolute path such as /ews/notifications, without query or route parameters (got '{endpoint.Path}').");
        }

        if (endpoint.MaxRequestBytes is < 4096 or > 64 * 1024 * 1024)
        {
            errors.Add($"PushListener:Endpoint:MaxRequestBytes must be between 4096 and 67108864 (got {endpoint.MaxRequestBytes}).");
        }

        if (endpoint.MaxMessagesPerPush is < 1 or > 10_000)
        {
            errors.Add($"PushListener:Endpoint:MaxMessagesPerPush must be between 1 and 10000 (got {endpoint.MaxMessagesPerPush}).");
        }

        for (var i = 0; i < options.ForwardedHeaders.KnownProxies.Length; i++)
        {
            if (!IPAddress.TryParse(options.ForwardedHeaders.KnownProxies[i], out _))
            {
                errors.Add($"PushListener:ForwardedHeaders:KnownProxies:{i} is not an IP address (got '{options.ForwardedHeaders.KnownProxies[i]}').");
            }
        }

        for (var i = 0; i < options.ForwardedHeaders.KnownNetworks.Length; i++)
        {
            if (!IPNetwork.TryParse(options.ForwardedHeaders.KnownNetworks[i], out _))
            {
                errors.Add($"PushListener:ForwardedHeaders:KnownNetworks:{i} is not a CIDR range such as 10.0.0.0/8 (got '{options.ForwardedHeaders.KnownNetworks[i]}').");
            }
        }

        ValidateHandlers(options, errors);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private void ValidateHandlers(PushListenerOptions options, List<string> errors)
    {
        var types = handlerTypes.ToDictionary(t => t.TypeName, StringComparer.OrdinalIgnoreCase);
        foreach (var (name, entry) in options.Handlers)
        {
            var path = $"{PushListenerOptions.SectionName}:Handlers:{name}";
            if (string.IsNullOrWhiteSpace(entry.Type))
            {
                errors.Add($"{path}:Type is required ({string.Join(", ", types.Keys.Order(StringComparer.Ordinal))}).");
                continue;
            }

            if (!types.TryGetValue(entry.Type, out var type))
            {
                errors.Add($"{path}:Type '{entry.Type}' is not a handler type ({string.Join(", ", types.Keys.Order(StringComparer.Ordinal))}).");
                continue;
            }

            if (entry.Timeout <= TimeSpan.Zero)
            {
                errors.Add($"{path}:Timeout must be positive (got {entry.Timeout}).");
            }

            if (entry.Filter is not null)
            {
                errors.AddRange(entry.Filter.Validate(path + ":Filter"));
            }

            if (entry.Enabled)
            {
                errors.AddRange(type.Validate(configuration.GetSection(path + ":Settings"), path + ":Settings"));
            }
        }
    }
}
