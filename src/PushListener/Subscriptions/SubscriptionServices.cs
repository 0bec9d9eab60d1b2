using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using PushListener.Hosting;
using PushListener.Inbox;

namespace PushListener.Subscriptions;

/// <summary>Wires the registry: options, the registration catalog, its loading at start-up, and the watchdog.</summary>
internal static class SubscriptionServices
{
    public static IServiceCollection AddSubscriptions(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<SubscriptionOptions>(configuration, SubscriptionOptions.SectionName);
        services.TryAddSingleton<RegistrationCatalog>();
        services.AddHostedService<RegistrationLoader>();
        if (configuration.GetValue(InboxOptions.SectionName + ":Enabled", true))
        {
            services.AddHostedService<SubscriptionWatchdog>();
        }

        return services;
    }
}

/// <summary>Fills the catalog at start-up: registrations from configuration, then those made through the API, then links.</summary>
internal sealed partial class RegistrationLoader(RegistrationCatalog catalog, IOptions<SubscriptionOptions> options, IServiceProvider services, ILogger<RegistrationLoader> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var (name, registration) in options.Value.Registrations)
        {
            catalog.Set(new Registration(name, registration.Mailbox, registration.StatusFrequency, registration.OwnerTag, registration.SubscriptionIds, registration.Token is { } token ? CallbackToken.Hash(token) : null, "configuration"));
        }

        if (services.GetService<IInboxStore>() is { } store)
        {
            foreach (var registration in await store.ReadRegistrationsAsync(cancellationToken).ConfigureAwait(false))
            {
                if (catalog[registration.Name] is { Source: "configuration" })
                {
                    ShadowedRegistration(logger, registration.Name);
                    continue;
                }

                catalog.Set(registration);
            }

            foreach (var (subscription, registration) in await store.ReadSubscriptionLinksAsync(cancellationToken).ConfigureAwait(false))
            {
                catalog.Link(subscription, registration);
            }
        }

        Loaded(logger, catalog.All.Count);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(500, LogLevel.Information, "{Count} registration(s) loaded")]
    private static partial void Loaded(ILogger logger, int count);

    [LoggerMessage(501, LogLevel.Warning, "Registration {Name} made through the API is shadowed by a registration of the same name in configuration")]
    private static partial void ShadowedRegistration(ILogger logger, string name);
}
