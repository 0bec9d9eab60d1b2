namespace PushListener.Storage.PostgreSql;

/// <summary>The LISTEN/NOTIFY channels instances signal each other on; every instance listens to all of them.</summary>
internal static class PostgreSqlChannels
{
    /// <summary>Entries were committed or became due: dispatchers look for work.</summary>
    public const string Entries = "pushlistener_entries";

    /// <summary>A feed got records (payload: the feed session): its long-polls and event streams wake.</summary>
    public const string Feeds = "pushlistener_feeds";

    /// <summary>A handler voted on an entry (payload: the entry id): a request waiting on another instance hears it.</summary>
    public const string Votes = "pushlistener_votes";

    /// <summary>Feeds, registrations or managed subscriptions were created, changed or deleted (payload: <see cref="CatalogFeeds"/>, <see cref="CatalogRegistrations"/> or <see cref="CatalogManaged"/>).</summary>
    public const string Catalog = "pushlistener_catalog";

    public const string CatalogFeeds = "feeds";

    public const string CatalogRegistrations = "registrations";

    /// <summary>The leader saved a managed subscription (a new one has a new callback token the other instances must accept).</summary>
    public const string CatalogManaged = "managed";

    public static IReadOnlyList<string> All { get; } = [Entries, Feeds, Votes, Catalog];
}
