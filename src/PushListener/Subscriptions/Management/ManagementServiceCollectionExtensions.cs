using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Identity.Client;
using PushListener.Ews;
using PushListener.Hosting;
using PushListener.Inbox;

namespace PushListener.Subscriptions.Management;

/// <summary>Wires the subscription manager: the EWS client, the managed registrations, their tokens at start-up, and the keep-alive service.</summary>
internal static class ManagementServiceCollectionExtensions
{
    public static IPushListenerBuilder AddSubscriptionManager(this IPushListenerBuilder builder)
    {
        var configuration = builder.Configuration;
        // The manager keeps its state and its lifecycle events in the store: no inbox, no manager.
        if (!configuration.GetValue(SubscriptionOptions.SectionName + ":Manager:Enabled", true) || !configuration.GetValue(InboxOptions.SectionName + ":Enabled", true))
        {
            return builder;
        }

        var services = builder.Services;
        services.TryAddSingleton<IMsalHttpClientFactory, MsalHttpClientFactory>();
        // Each request's timeout is the manager's (Manager:RequestTimeout, applied per call).
        services.TryAddSingleton<EwsConnections>();
        services.TryAddSingleton<AffinityCookies>();
        services.TryAddSingleton<EwsClient>();
        services.TryAddSingleton<ManagedRegistrations>();
        services.TryAddSingleton<ManagedTokenLoader>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IStartupStep, ManagedTokenLoader>(static sp => sp.GetRequiredService<ManagedTokenLoader>()));
        services.TryAddSingleton<SubscriptionManager>();
        services.AddHostedService(static sp => sp.GetRequiredService<SubscriptionManager>());
        return builder;
    }
}
