namespace PushListener.Feeds;

/// <summary>
/// Consumer feeds' storage. A fetch selects and leases in one transaction, so two fetches never hand out the same entry.
/// </summary>
internal interface IFeedStore
{
    /// <summary>The live feeds.</summary>
    Task<IReadOnlyList<FeedInfo>> LoadAsync(CancellationToken cancellationToken);

    /// <summary>Stores a new feed; false when <paramref name="maxFeeds"/> feeds exist already.</summary>
    ValueTask<bool> CreateAsync(FeedInfo feed, int maxFeeds, CancellationToken cancellationToken);

    /// <summary>Deletes a feed and everything it holds; false when there was no such feed.</summary>
    ValueTask<bool> ReleaseAsync(string handle, CancellationToken cancellationToken);

    /// <summary>
    /// Appends entries, at most once per (feed, delivery id): a retried handler call finds its entry, or its tombstone,
    /// and adds nothing. A feed released meanwhile is skipped. A feed past its count limit drops its oldest entries.
    /// </summary>
    ValueTask<AppendOutcome> AppendAsync(IReadOnlyList<FeedAppend> appends, CancellationToken cancellationToken);

    /// <summary>
    /// Acknowledges (optionally), then hands out the oldest visible entries that fit the budget, leasing them for
    /// <paramref name="visibility"/>. Null when the feed does not exist.
    /// </summary>
    ValueTask<FetchResult?> FetchAsync(string handle, string session, long? ack, int maxBytes, int maxCount, TimeSpan visibility, CancellationToken cancellationToken);

    /// <summary>Acknowledges every handed-out entry up to <paramref name="cursor"/>; null when the feed does not exist.</summary>
    ValueTask<int?> AcknowledgeAsync(string handle, long cursor, CancellationToken cancellationToken);

    /// <summary>The next entries for an event stream positioned after <paramref name="after"/>, leased like a fetch's. Null when the feed does not exist.</summary>
    ValueTask<IReadOnlyList<FeedEntryOut>?> StreamAsync(string handle, long after, int maxBytes, int maxCount, TimeSpan visibility, CancellationToken cancellationToken);

    /// <summary>Drops entries past the feed's age limit (with a gap record) and tombstones past it.</summary>
    ValueTask<FeedOverflow?> ApplyAgeLimitAsync(FeedInfo feed, CancellationToken cancellationToken);

    /// <summary>A feed's counters and depth; null when it does not exist.</summary>
    Task<FeedCounters?> GetCountersAsync(string handle, CancellationToken cancellationToken);
}
