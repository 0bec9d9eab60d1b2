namespace PushListener.Inbox;

/// <summary>
/// The entry log: every stored notification and lifecycle event, from its append to its completion or dead letter.
/// Every method is safe to call concurrently, from several processes when the implementation is shared (PostgreSQL).
/// Dispatchers take work by <see cref="ClaimAsync"/>: an entry is handed to one owner at a time, under a lease; an entry
/// whose owner died is claimed again once its lease runs out.
/// </summary>
internal interface IEntryLog
{
    /// <summary>
    /// Stores all messages of one push in one transaction; completes once it is committed. The push's body is stored once
    /// (its messages refer to it), and not at all when every message is a duplicate. Idempotent per message on
    /// <see cref="MessageAppend.DedupeKey"/>: a duplicate stores nothing and reports the first entry. A duplicate is
    /// recognised while its first entry is kept, and for a watermark key at least while that entry is among the last
    /// <see cref="DedupeKey.RecentWindow"/> its subscription stored (Exchange retries only the latest), or came in a push
    /// with more messages of its subscription than that. The same transaction
    /// applies the subscription rules to the registry (and appends the lifecycle entries they produce), and takes any
    /// sticky Unsubscribe vote of the push's subscriptions. <see cref="PushAppend.Body"/> must stay valid until the task
    /// completes. Throws when the store cannot take the push (the endpoint then answers a Server fault: Exchange retries).
    /// </summary>
    ValueTask<PushAppendResult> AppendAsync(PushAppend push, CancellationToken cancellationToken);

    /// <summary>
    /// Claims up to <paramref name="max"/> pending entries for <paramref name="owner"/> until now + <paramref name="lease"/>,
    /// oldest first. Per-subscription order: an entry is not claimable while an earlier pending entry of its subscription
    /// is under a live lease (anyone's, the caller's too), and it is handed out only with every earlier pending entry of
    /// its subscription; the owner runs a subscription's entries in the order returned. Entries under an expired lease
    /// are claimable again.
    /// </summary>
    ValueTask<IReadOnlyList<ClaimedEntry>> ClaimAsync(string owner, int max, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>Extends every lease <paramref name="owner"/> holds to now + <paramref name="lease"/>; returns how many.</summary>
    Task<int> RenewLeasesAsync(string owner, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>Gives up every lease <paramref name="owner"/> holds (shutting down), so the entries are claimable at once.</summary>
    Task<int> ReleaseLeasesAsync(string owner, CancellationToken cancellationToken);

    /// <summary>Records an attempt that had failures: each handler's outcome (a retry skips those that succeeded), and the attempt count.</summary>
    Task RecordAttemptAsync(long entryId, int attempt, IReadOnlyList<HandlerAttempt> handlers, CancellationToken cancellationToken);

    /// <summary>Marks an entry done after <paramref name="attempts"/> attempts, with the answer the pipeline earned; its lease ends.</summary>
    Task CompleteAsync(long entryId, int attempts, SubscriptionStatus vote, string? reason, CancellationToken cancellationToken);

    /// <summary>Moves an entry to the dead letters with its last error; its lease ends.</summary>
    Task DeadLetterAsync(long entryId, int attempts, string lastError, CancellationToken cancellationToken);

    /// <summary>Counts for metrics, readiness and the admin API.</summary>
    Task<EntryLogStats> GetStatsAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Completes when the store takes a write that changes nothing anyone reads; throws when it cannot. For readiness. A store
    /// whose space is bounded per listener (SQLite's MaxSizeMegabytes) writes <paramref name="payloadBytes"/> bytes with it,
    /// so that after a refused push readiness returns only once a write of that size fits; 0 is the smallest write.
    /// </summary>
    Task ProbeAsync(int payloadBytes, CancellationToken cancellationToken);

    /// <summary>Deletes done entries received before <paramref name="before"/> (and bodies no entry refers to any more); returns how many entries.</summary>
    Task<int> DeleteProcessedAsync(DateTimeOffset before, CancellationToken cancellationToken);
}
