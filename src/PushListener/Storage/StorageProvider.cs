namespace PushListener.Storage;

/// <summary>Where the inbox, the registry, feeds and registrations are kept.</summary>
public enum StorageProvider
{
    /// <summary>An embedded SQLite database in <c>PushListener:Inbox:DataFolder</c>: one instance, no server (the default).</summary>
    Sqlite,

    /// <summary>A PostgreSQL database named by <c>ConnectionStrings:PushListener</c>, shared by any number of instances.</summary>
    PostgreSql,
}
