using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using PushListener.Hosting;
using PushListener.Inbox;

namespace PushListener.Subscriptions;

/// <summary>Wires the registry: options, the registration catalog, its loading at start-up, and the watchdog.</summary>
internal static class SubscriptionServices
{
    public static IPushListenerBuilder AddSubscriptions(this IPushListenerBuilder builder)
    {
        var services = builder.Services;
        services.AddValidatedOptions<SubscriptionOptions>(builder.Configuration, SubscriptionOptions.SectionName);
        services.TryAddSingleton<RegistrationCatalog>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IStartupStep, RegistrationLoader>());
        if (builder.Configuration.GetValue(InboxOptions.SectionName + ":Enabled", true))
        {
            services.TryAddSingleton<SubscriptionWatchdog>();
            services.AddHostedService(static sp => sp.GetRequiredService<SubscriptionWatchdog>());
        }

        return builder;
    }
}

/// <summary>
/// Fills the catalog at start-up (after the store is open, before requests): registrations from configuration, then
/// those made through the API, then which subscription came through which.
/// </summary>
internal sealed partial class RegistrationLoader(RegistrationCatalog catalog, IOptions<SubscriptionOptions> options, IServiceProvider services, ILogger<RegistrationLoader> logger) : IStartupStep
{
    public StartupStage Stage => StartupStage.LoadState;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var (name, registration) in options.Value.Registrations)
        {
            catalog.Set(new Registration(name, registration.Mailbox, registration.StatusFrequency, registration.OwnerTag, registration.SubscriptionIds, registration.Token is { } token ? CallbackToken.Hash(token) : null, "configuration"));
        }

        // Without the inbox there is no store: configuration is all there is.
        if (services.GetService<IRegistrationStore>() is { } store)
        {
            foreach (var registration in await store.ListAsync(cancellationToken).ConfigureAwait(false))
            {
                if (catalog[registration.Name] is { Source: "configuration" })
                {
                    ShadowedRegistration(logger, registration.Name);
                    continue;
                }

                catalog.Set(registration);
            }

            foreach (var (subscription, registration) in await store.ListLinksAsync(cancellationToken).ConfigureAwait(false))
            {
                catalog.Link(subscription, registration);
            }
        }

        Loaded(logger, catalog.All.Count);
    }

    [LoggerMessage(500, LogLevel.Information, "{Count} registration(s) loaded")]
    private static partial void Loaded(ILogger logger, int count);

    [LoggerMessage(501, LogLevel.Warning, "Registration {Name} made through the API is shadowed by a registration of the same name in configuration")]
    private static partial void ShadowedRegistration(ILogger logger, string name);
}
