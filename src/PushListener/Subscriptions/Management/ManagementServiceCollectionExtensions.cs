using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.Identity.Client;
using PushListener.Ews;

namespace PushListener.Subscriptions.Management;

/// <summary>Wires the subscription manager: the EWS client, the managed registrations and the keep-alive service.</summary>
internal static class ManagementServiceCollectionExtensions
{
    public static IServiceCollection AddSubscriptionManager(this IServiceCollection services, IConfiguration configuration)
    {
        if (!configuration.GetValue(SubscriptionOptions.SectionName + ":Manager:Enabled", true))
        {
            return services;
        }

        services.TryAddSingleton<IMsalHttpClientFactory, MsalHttpClientFactory>();
        services.TryAddSingleton(sp => new EwsConnections(sp.GetRequiredService<IMsalHttpClientFactory>())
        {
            RequestTimeout = sp.GetRequiredService<IOptions<SubscriptionOptions>>().Value.Manager.RequestTimeout,
        });
        services.TryAddSingleton<AffinityCookies>();
        services.TryAddSingleton<EwsClient>();
        services.TryAddSingleton<ManagedRegistrations>();
        services.TryAddSingleton<SubscriptionManager>();
        services.AddHostedService(static sp => sp.GetRequiredService<SubscriptionManager>());
        return services;
    }
}
