namespace PushListener.Inbox;

/// <summary>A notification to store: one message of one push.</summary>
internal sealed record InboxAppend(
    string DedupeKey,
    string? SubscriptionId,
    int MessageIndex,
    DateTimeOffset ReceivedAt,
    string? RequestServerVersion,
    byte[] Body,
    PushListener.Subscriptions.RegistryUpdate? Registry = null);

/// <summary>
/// The result of an append: the entry's id, for a duplicate the state of the first one, whether the subscription is to
/// be answered Unsubscribe (an operator marked it), and how many lifecycle events the append raised.
/// </summary>
internal readonly record struct AppendResult(long EntryId, bool IsDuplicate, EntryState State, SubscriptionStatus? Vote, bool Unsubscribe = false, int LifecycleEvents = 0);

/// <summary>What an inbox entry holds.</summary>
internal enum EntryKind
{
    /// <summary>A SOAP body and the index of the message in it.</summary>
    Notification = 0,

    /// <summary>A lifecycle event as JSON.</summary>
    Lifecycle = 1,
}

/// <summary>Where an entry is in its life.</summary>
internal enum EntryState
{
    Pending = 0,
    Done = 1,
    Dead = 2,
}

/// <summary>An entry as the dispatcher reads it back.</summary>
internal sealed record StoredEntry(
    long Id,
    EntryKind Kind,
    string DedupeKey,
    string? SubscriptionId,
    int MessageIndex,
    DateTimeOffset ReceivedAt,
    string? RequestServerVersion,
    string? Registration,
    byte[] Body,
    int Attempts,
    IReadOnlySet<string> SucceededHandlers);

/// <summary>A dead letter, as the admin API and command line show it.</summary>
public sealed record DeadLetter(long Id, string? SubscriptionId, DateTimeOffset ReceivedAt, int Attempts, string? LastError, DateTimeOffset? DeadAt, IReadOnlyList<string> FailedHandlers);

/// <summary>Per-handler failure counts.</summary>
public sealed record HandlerFailureStats(string Handler, long Failures, string? LastError, DateTimeOffset? LastFailedAt);

/// <summary>Inbox depth and health; <paramref name="OldestPending"/> is when the oldest pending entry was received (null when none is pending).</summary>
public sealed record InboxStats(long Pending, long Done, long DeadLetters, long StickyUnsubscribes, IReadOnlyList<HandlerFailureStats> Handlers, DateTimeOffset? OldestPending = null);
