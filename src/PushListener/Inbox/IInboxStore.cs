using PushListener.Pipeline;
using PushListener.Subscriptions;

namespace PushListener.Inbox;

/// <summary>
/// The durable inbox. Every method is safe to call concurrently. An implementation for several listener instances
/// sharing one database (PostgreSQL) keeps the same contract; reading pending entries would then claim them with a lease.
/// </summary>
internal interface IInboxStore : IAsyncDisposable
{
    /// <summary>Opens or creates the store, and applies the schema.</summary>
    Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Stores a notification durably; completes once it is committed. Idempotent on <see cref="InboxAppend.DedupeKey"/>:
    /// a second append of the same key stores nothing and returns the first entry. Throws when the store cannot take it.
    /// </summary>
    ValueTask<AppendResult> AppendAsync(InboxAppend append, CancellationToken cancellationToken);

    /// <summary>
    /// Called with each entry an append wrote, right after its commit and in id order (on the writer's thread: keep it
    /// short). Lets the dispatcher take new entries without reading them back; it still reads the store to catch up.
    /// </summary>
    Action<StoredEntry>? Committed { get; set; }

    /// <summary>
    /// Pending entries with ids above <paramref name="afterId"/>, oldest first. Notification bodies are not read (the
    /// dispatcher usually holds the parsed message already): <see cref="ReadBodyAsync"/> fetches one when needed.
    /// </summary>
    Task<IReadOnlyList<StoredEntry>> ReadPendingAsync(long afterId, int max, CancellationToken cancellationToken);

    /// <summary>The stored SOAP body of an entry, or null when it is gone.</summary>
    Task<byte[]?> ReadBodyAsync(long entryId, CancellationToken cancellationToken);

    /// <summary>Records a delivery attempt that had failures: each handler's outcome (so a retry skips those that succeeded), and the attempt count.</summary>
    Task RecordAttemptAsync(long entryId, int attempt, PipelineOutcome outcome, CancellationToken cancellationToken);

    /// <summary>Marks an entry done after <paramref name="attempts"/> attempts, with the answer the pipeline earned.</summary>
    Task CompleteAsync(long entryId, int attempts, SubscriptionStatus vote, string? reason, CancellationToken cancellationToken);

    /// <summary>Moves an entry to the dead letters with its last error.</summary>
    Task DeadLetterAsync(long entryId, string lastError, CancellationToken cancellationToken);

    /// <summary>Remembers an Unsubscribe vote that came too late for its own answer.</summary>
    Task SetStickyVoteAsync(string subscriptionId, string? reason, CancellationToken cancellationToken);

    /// <summary>Forgets a sticky vote once it has been answered.</summary>
    Task ClearStickyVoteAsync(string subscriptionId, CancellationToken cancellationToken);

    /// <summary>All sticky votes (loaded at start-up).</summary>
    Task<IReadOnlyDictionary<string, string?>> ReadStickyVotesAsync(CancellationToken cancellationToken);

    /// <summary>Dead letters, oldest first.</summary>
    Task<IReadOnlyList<DeadLetter>> ListDeadLettersAsync(int max, CancellationToken cancellationToken);

    /// <summary>Makes one dead letter (or all, when <paramref name="entryId"/> is null) pending again; handlers that had succeeded are not run again.</summary>
    Task<int> ReplayDeadLettersAsync(long? entryId, CancellationToken cancellationToken);

    /// <summary>Deletes one dead letter (or all).</summary>
    Task<int> PurgeDeadLettersAsync(long? entryId, CancellationToken cancellationToken);

    /// <summary>Depth and failure counts.</summary>
    Task<InboxStats> GetStatsAsync(CancellationToken cancellationToken);

    /// <summary>Deletes processed entries received before <paramref name="before"/>.</summary>
    Task<int> DeleteProcessedAsync(DateTimeOffset before, CancellationToken cancellationToken);

    /// <summary>Subscriptions in the registry, optionally in one state, most recently seen first.</summary>
    Task<IReadOnlyList<SubscriptionRecord>> ListSubscriptionsAsync(SubscriptionState? state, int max, CancellationToken cancellationToken);

    /// <summary>One subscription, or null.</summary>
    Task<SubscriptionRecord?> GetSubscriptionAsync(string subscriptionId, CancellationToken cancellationToken);

    /// <summary>Marks a known subscription for unsubscribe: its next push is answered Unsubscribe. False when unknown.</summary>
    Task<bool> MarkUnsubscribeAsync(string subscriptionId, CancellationToken cancellationToken);

    /// <summary>Records a subscription refused by the unknown-subscription policy (answered Unsubscribe, nothing stored).</summary>
    Task RecordRefusedAsync(string subscriptionId, string? requestServerVersion, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Marks subscriptions silent past twice their expected interval and queues a lifecycle event for each.</summary>
    Task<IReadOnlyList<LifecycleEvent>> DetectSilentAsync(DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Registrations made through the admin API.</summary>
    Task<IReadOnlyList<Registration>> ReadRegistrationsAsync(CancellationToken cancellationToken);

    /// <summary>Creates or replaces an admin-API registration.</summary>
    Task UpsertRegistrationAsync(Registration registration, CancellationToken cancellationToken);

    /// <summary>Deletes an admin-API registration; false when there was none.</summary>
    Task<bool> DeleteRegistrationAsync(string name, CancellationToken cancellationToken);

    /// <summary>Which registration each subscription came in through (subscription id to registration name).</summary>
    Task<IReadOnlyDictionary<string, string>> ReadSubscriptionLinksAsync(CancellationToken cancellationToken);
}
