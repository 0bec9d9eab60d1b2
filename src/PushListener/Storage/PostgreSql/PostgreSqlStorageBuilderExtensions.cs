using Microsoft.Extensions.DependencyInjection.Extensions;
using PushListener.Coordination;
using PushListener.Feeds;
using PushListener.Hosting;
using PushListener.Inbox;
using PushListener.Subscriptions;
using PushListener.Subscriptions.Management;

namespace PushListener.Storage.PostgreSql;

/// <summary>The PostgreSQL provider: every role store in one shared database, for any number of listener instances.</summary>
public static class PostgreSqlStorageBuilderExtensions
{
    /// <summary>
    /// Stores the inbox, registry, registrations, managed subscriptions and feeds in the PostgreSQL database named by
    /// <c>ConnectionStrings:PushListener</c>, shared by every instance behind the load balancer: claims with leases keep
    /// one subscription's entries on one instance at a time, LISTEN/NOTIFY wakes the others, and advisory locks elect
    /// one instance for each single-instance job (watchdog, retention, subscription manager). Replaces the role stores of any provider
    /// registered before.
    /// </summary>
    public static IPushListenerBuilder UsePostgreSqlStorage(this IPushListenerBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var configuration = builder.Configuration;
        services.AddValidatedOptions<PostgreSqlStorageOptions>(configuration, PostgreSqlStorageOptions.SectionName)
            .Configure(options => options.ConnectionString ??= configuration.GetConnectionString(PostgreSqlStorageOptions.ConnectionStringName));

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<PostgreSqlDatabase>();
        services.TryAddSingleton<PostgreSqlMigrator>();
        services.TryAddSingleton<PostgreSqlNotifier>();
        services.TryAddSingleton<PostgreSqlClaimSignal>();
        StorageRegistration.Replace<IStorageInitializer>(services, static sp => ActivatorUtilities.CreateInstance<PostgreSqlStorageInitializer>(sp));
        StorageRegistration.Replace<IEntryLog>(services, static sp => ActivatorUtilities.CreateInstance<PostgreSqlEntryLog>(sp));
        StorageRegistration.Replace<IDeadLetterStore>(services, static sp => ActivatorUtilities.CreateInstance<PostgreSqlDeadLetterStore>(sp));
        StorageRegistration.Replace<IStickyVoteStore>(services, static sp => ActivatorUtilities.CreateInstance<PostgreSqlStickyVoteStore>(sp));
        StorageRegistration.Replace<ISubscriptionRegistry>(services, static sp => ActivatorUtilities.CreateInstance<PostgreSqlSubscriptionRegistry>(sp));
        StorageRegistration.Replace<IRegistrationStore>(services, static sp => ActivatorUtilities.CreateInstance<PostgreSqlRegistrationStore>(sp));
        StorageRegistration.Replace<IFeedStore>(services, static sp => ActivatorUtilities.CreateInstance<PostgreSqlFeedStore>(sp));
        StorageRegistration.Replace<IManagedSubscriptionStore>(services, static sp => ActivatorUtilities.CreateInstance<PostgreSqlManagedSubscriptionStore>(sp));
        StorageRegistration.Replace<IDispatchNotifier>(services, static sp => ActivatorUtilities.CreateInstance<PostgreSqlDispatchNotifier>(sp));
        StorageRegistration.Replace<IVoteRelay>(services, static sp => ActivatorUtilities.CreateInstance<PostgreSqlVoteRelay>(sp));
        StorageRegistration.Replace<ILeaderElection>(services, static sp => ActivatorUtilities.CreateInstance<PostgreSqlLeaderElection>(sp));

        // The command line opens the store beside running listeners: it needs no notification session of its own.
        if (!services.Any(d => d.ServiceType == typeof(AdminToolAccess)))
        {
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, PostgreSqlNotifier>(static sp => sp.GetRequiredService<PostgreSqlNotifier>()));
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, PostgreSqlFeedWakeup>());
            services.TryAddSingleton<PostgreSqlCatalogSync>();
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, PostgreSqlCatalogSync>(static sp => sp.GetRequiredService<PostgreSqlCatalogSync>()));
        }

        services.AddHealthChecks().AddCheck<PostgreSqlHealthCheck>("postgresql", tags: [Health.HealthServiceCollectionExtensions.ReadyTag]);
        return builder;
    }
}
