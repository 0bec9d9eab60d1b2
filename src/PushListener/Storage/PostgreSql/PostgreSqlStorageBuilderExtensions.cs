using Microsoft.Extensions.DependencyInjection.Extensions;
using PushListener.Coordination;
using PushListener.Feeds;
using PushListener.Hosting;
using PushListener.Inbox;
using PushListener.Subscriptions;

namespace PushListener.Storage.PostgreSql;

/// <summary>The PostgreSQL provider: every role store in one shared database, for any number of listener instances.</summary>
public static class PostgreSqlStorageBuilderExtensions
{
    /// <summary>
    /// Stores the inbox, registry, registrations and feeds in the PostgreSQL database named by
    /// <c>ConnectionStrings:PushListener</c>, shared by every instance behind the load balancer: claims with leases keep
    /// one subscription's entries on one instance at a time, LISTEN/NOTIFY wakes the others, and advisory locks elect
    /// one instance for the watchdog and retention. Replaces any storage provider registered before.
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
        services.AddHostedService(sp => sp.GetRequiredService<PostgreSqlNotifier>());
        services.Replace(ServiceDescriptor.Singleton<IStorageInitializer, PostgreSqlStorageInitializer>());
        services.Replace(ServiceDescriptor.Singleton<IDispatchNotifier, PostgreSqlDispatchNotifier>());
        services.Replace(ServiceDescriptor.Singleton<ILeaderElection, PostgreSqlLeaderElection>());
        services.Replace(ServiceDescriptor.Singleton<IEntryLog, PostgreSqlEntryLog>());
        services.Replace(ServiceDescriptor.Singleton<IDeadLetterStore, PostgreSqlDeadLetterStore>());
        services.Replace(ServiceDescriptor.Singleton<IStickyVoteStore, PostgreSqlStickyVoteStore>());
        services.Replace(ServiceDescriptor.Singleton<ISubscriptionRegistry, PostgreSqlSubscriptionRegistry>());
        services.Replace(ServiceDescriptor.Singleton<IRegistrationStore, PostgreSqlRegistrationStore>());
        services.Replace(ServiceDescriptor.Singleton<IFeedStore, PostgreSqlFeedStore>());
        services.AddHostedService<PostgreSqlFeedWakeup>();
        services.AddHostedService<PostgreSqlStartup>();
        services.AddHealthChecks().AddCheck<PostgreSqlHealthCheck>("postgresql");
        return builder;
    }
}
