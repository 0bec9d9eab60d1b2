namespace PushListener.Feeds;

/// <summary>The <c>PushListener:Feeds</c> section: consumer feeds (docs/feeds.md).</summary>
public sealed class FeedsOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "PushListener:Feeds";

    /// <summary>
    /// Collect notifications into feeds and serve <c>/api/feeds</c>. Default: on when the inbox is on (feeds live in the
    /// inbox database). The API also needs <c>PushListener:Admin:ApiKey</c>.
    /// </summary>
    public bool? Enabled { get; set; }

    /// <summary>Byte budget of a fetch that states no <c>maxBytes</c>. Default 1 MiB.</summary>
    public int DefaultMaxBytes { get; set; } = 1024 * 1024;

    /// <summary>Largest <c>maxBytes</c> a fetch may ask for. Default 16 MiB.</summary>
    public int MaxBytesLimit { get; set; } = 16 * 1024 * 1024;

    /// <summary>Most entries in one fetch (the default and the ceiling of <c>max</c>). Default 1,000.</summary>
    public int MaxBatch { get; set; } = 1000;

    /// <summary>Longest long-poll <c>wait</c>. Default 60 seconds.</summary>
    public TimeSpan MaxWait { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long fetched entries stay invisible before they are handed out again unless acknowledged. Default 30 seconds.</summary>
    public TimeSpan VisibilityTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Default age limit of a feed's entries (a registration may set its own). Default 7 days.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Default count limit of a feed's unacknowledged entries (a registration may set its own). Default 100,000.</summary>
    public int MaxEntries { get; set; } = 100_000;

    /// <summary>Most feeds at once. Default 1,000.</summary>
    public int MaxFeeds { get; set; } = 1000;

    /// <summary>How often entries past their feed's age limit are dropped. Default 1 minute.</summary>
    public TimeSpan CleanupInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Interval of keep-alive comments on an idle event stream (proxies close silent connections). Default 15 seconds.</summary>
    public TimeSpan StreamHeartbeat { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Errors, each naming the setting.</summary>
    public IEnumerable<string> Validate(bool inboxEnabled)
    {
        const string p = SectionName;
        if (Enabled == true && !inboxEnabled)
        {
            yield return $"{p}:Enabled needs PushListener:Inbox:Enabled: feeds are stored in the inbox database.";
        }

        if (DefaultMaxBytes < 1024 || DefaultMaxBytes > MaxBytesLimit)
        {
            yield return $"{p}:DefaultMaxBytes must be between 1024 and {p}:MaxBytesLimit ({MaxBytesLimit}) (got {DefaultMaxBytes}).";
        }

        if (MaxBytesLimit is < 1024 or > 256 * 1024 * 1024)
        {
            yield return $"{p}:MaxBytesLimit must be between 1024 and 268435456 (got {MaxBytesLimit}).";
        }

        if (MaxBatch is < 1 or > 100_000)
        {
            yield return $"{p}:MaxBatch must be between 1 and 100000 (got {MaxBatch}).";
        }

        if (MaxWait < TimeSpan.Zero || MaxWait > TimeSpan.FromMinutes(10))
        {
            yield return $"{p}:MaxWait must be between 00:00:00 and 00:10:00 (got {MaxWait}).";
        }

        if (VisibilityTimeout < TimeSpan.FromMilliseconds(100) || VisibilityTimeout > TimeSpan.FromHours(12))
        {
            yield return $"{p}:VisibilityTimeout must be between 00:00:00.1 and 12:00:00 (got {VisibilityTimeout}).";
        }

        if (Retention < TimeSpan.FromMinutes(1))
        {
            yield return $"{p}:Retention must be at least 00:01:00 (got {Retention}).";
        }

        if (MaxEntries is < 1 or > FeedLimits.MaxEntriesCeiling)
        {
            yield return $"{p}:MaxEntries must be between 1 and {FeedLimits.MaxEntriesCeiling} (got {MaxEntries}).";
        }

        if (MaxFeeds is < 1 or > 100_000)
        {
            yield return $"{p}:MaxFeeds must be between 1 and 100000 (got {MaxFeeds}).";
        }

        if (CleanupInterval < TimeSpan.FromSeconds(1))
        {
            yield return $"{p}:CleanupInterval must be at least 00:00:01 (got {CleanupInterval}).";
        }

        if (StreamHeartbeat < TimeSpan.FromSeconds(1) || StreamHeartbeat > TimeSpan.FromMinutes(10))
        {
            yield return $"{p}:StreamHeartbeat must be between 00:00:01 and 00:10:00 (got {StreamHeartbeat}).";
        }
    }
}

/// <summary>Fixed bounds of what a registration may ask for.</summary>
internal static class FeedLimits
{
    public const int MaxEntriesCeiling = 10_000_000;

    public const int MaxListItems = 1000;

    public const int MaxSessionLength = 128;
}
