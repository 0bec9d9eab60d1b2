using Microsoft.Extensions.Options;

namespace PushListener.Subscriptions.Management;

/// <summary>The managed registrations: those in configuration with an <c>Ews</c> section, and those added through the admin API (kept in the store).</summary>
internal sealed class ManagedRegistrations(IOptions<SubscriptionOptions> options)
{
    public const string ConfigurationSource = "configuration";
    public const string ApiSource = "api";

    private readonly Lazy<IReadOnlyList<ManagedRegistration>> _fromConfiguration = new(() =>
    [
        .. options.Value.Registrations
            .Where(r => r.Value.Ews is not null)
            .Select(r => new ManagedRegistration(
                r.Key,
                r.Value.Mailbox!.Trim(),
                r.Value.StatusFrequency ?? DefaultStatusFrequency,
                r.Value.OwnerTag,
                ManagedEwsSettings.From(r.Value.Ews!),
                ConfigurationSource)),
    ]);

    /// <summary>From configuration, by name (read at first use: options are validated at start-up, after services are built).</summary>
    public IReadOnlyList<ManagedRegistration> FromConfiguration => _fromConfiguration.Value;

    /// <summary>Exchange's default StatusFrequency, used when a managed registration names none.</summary>
    public const int DefaultStatusFrequency = 30;

    /// <summary>The configured token of a configuration registration, if it has one.</summary>
    public string? ConfiguredToken(string name) => options.Value.Registrations.TryGetValue(name, out var r) ? r.Token : null;

    /// <summary>Every managed registration: configuration's, then the API's that configuration does not shadow.</summary>
    public IReadOnlyList<ManagedRegistration> All(IEnumerable<ManagedSubscription> stored)
    {
        var result = new List<ManagedRegistration>(FromConfiguration);
        foreach (var definition in stored.Select(s => s.Definition).OfType<ManagedRegistration>())
        {
            if (!result.Any(r => string.Equals(r.Name, definition.Name, StringComparison.OrdinalIgnoreCase)))
            {
                result.Add(definition);
            }
        }

        return result;
    }

    public bool IsConfigured(string name) => options.Value.Registrations.ContainsKey(name);
}
