namespace PushListener.Feeds;

/// <summary>An entry to append to one feed.</summary>
internal sealed record FeedAppend(FeedInfo Feed, string DeliveryId, FeedEntryKind Kind, byte[] Body);

/// <summary>What an append did: the sessions that got entries (to wake), and the feeds that overflowed.</summary>
internal sealed record AppendOutcome(IReadOnlyList<string> Sessions, IReadOnlyList<FeedOverflow> Overflows);

/// <summary>A feed dropped entries: how many, and whether this started a new gap (no earlier gap record was waiting).</summary>
internal readonly record struct FeedOverflow(string Handle, long Dropped, bool NewGap, string Reason);

/// <summary>An entry handed out, encoded as it goes on the wire.</summary>
internal sealed record FeedEntryOut(long Seq, FeedEntryKind Kind, byte[] Json);

/// <summary>The answer to a fetch, before encoding.</summary>
internal sealed record FetchResult(IReadOnlyList<FeedEntryOut> Entries, bool Pending, IReadOnlyList<string> PendingHandles, int Acknowledged, DateTimeOffset? NextVisibleAt);

/// <summary>A feed's counters and depth.</summary>
internal sealed record FeedCounters(
    long LastSeq,
    long Appended,
    long Delivered,
    long Acknowledged,
    long Dropped,
    long Unacknowledged,
    long Available,
    long InFlight,
    long GapRecords,
    DateTimeOffset? OldestAt,
    DateTimeOffset? LastAppendAt,
    DateTimeOffset? LastFetchAt);
