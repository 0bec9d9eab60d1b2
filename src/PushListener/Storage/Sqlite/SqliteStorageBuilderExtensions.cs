using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using PushListener.Coordination;
using PushListener.Feeds;
using PushListener.Hosting;
using PushListener.Inbox;
using PushListener.Subscriptions;

namespace PushListener.Storage.Sqlite;

/// <summary>The SQLite provider: every role store in one database file (<c>inbox.db</c> in <c>PushListener:Inbox:DataFolder</c>).</summary>
public static class SqliteStorageBuilderExtensions
{
    /// <summary>
    /// Stores the inbox, registry, registrations and feeds in SQLite (WAL, <c>synchronous=FULL</c>, one group-commit
    /// writer), for one listener process: dispatch is woken in process, and this process leads every single-instance job.
    /// Replaces the role stores of any provider registered before.
    /// </summary>
    public static IPushListenerBuilder UseSqliteStorage(this IPushListenerBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.RemoveAll<SqliteDatabase>();
        services.AddSingleton(static sp =>
        {
            var options = sp.GetRequiredService<IOptions<InboxOptions>>().Value;
            var root = sp.GetService<IHostEnvironment>()?.ContentRootPath ?? AppContext.BaseDirectory;
            var serve = sp.GetService<AdminToolAccess>() is null;
            return new SqliteDatabase(Path.Combine(Path.GetFullPath(options.DataFolder, root), "inbox.db"), options, sp.GetRequiredService<TimeProvider>(), serve, sp.GetService<Telemetry.PushListenerMetrics>());
        });
        StorageRegistration.Replace<IStorageInitializer>(services, static sp => sp.GetRequiredService<SqliteDatabase>());
        StorageRegistration.Replace<IEntryLog>(services, static sp => new SqliteEntryLog(sp.GetRequiredService<SqliteDatabase>()));
        StorageRegistration.Replace<IDeadLetterStore>(services, static sp => new SqliteDeadLetterStore(sp.GetRequiredService<SqliteDatabase>()));
        StorageRegistration.Replace<IStickyVoteStore>(services, static sp => new SqliteStickyVoteStore(sp.GetRequiredService<SqliteDatabase>()));
        StorageRegistration.Replace<ISubscriptionRegistry>(services, static sp => new SqliteSubscriptionRegistry(sp.GetRequiredService<SqliteDatabase>()));
        StorageRegistration.Replace<IRegistrationStore>(services, static sp => new SqliteRegistrationStore(sp.GetRequiredService<SqliteDatabase>()));
        StorageRegistration.Replace<Subscriptions.Management.IManagedSubscriptionStore>(services, static sp => new SqliteManagedSubscriptionStore(sp.GetRequiredService<SqliteDatabase>()));
        StorageRegistration.Replace<IFeedStore>(services, static sp => new SqliteFeedStore(sp.GetRequiredService<SqliteDatabase>(), sp.GetRequiredService<TimeProvider>()));
        StorageRegistration.Replace<IDispatchNotifier>(services, static sp => new InProcessDispatchNotifier(sp.GetRequiredService<TimeProvider>()));
        StorageRegistration.Replace<ILeaderElection>(services, static _ => new SingleInstanceLeaderElection());
        services.RemoveAll<IVoteRelay>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, SqliteCheckpointService>());
        return builder;
    }
}
