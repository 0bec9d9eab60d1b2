namespace PushListener.Inbox;

/// <summary>A notification to store: one message of one push.</summary>
internal sealed record InboxAppend(
    string DedupeKey,
    string? SubscriptionId,
    int MessageIndex,
    DateTimeOffset ReceivedAt,
    string? RequestServerVersion,
    byte[] Body);

/// <summary>The result of an append: the entry's id, and for a duplicate the state of the first one.</summary>
internal readonly record struct AppendResult(long EntryId, bool IsDuplicate, EntryState State, SubscriptionStatus? Vote);

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
    string DedupeKey,
    string? SubscriptionId,
    int MessageIndex,
    DateTimeOffset ReceivedAt,
    string? RequestServerVersion,
    byte[] Body,
    int Attempts,
    IReadOnlySet<string> SucceededHandlers);

/// <summary>A dead letter, as the admin API and command line show it.</summary>
public sealed record DeadLetter(long Id, string? SubscriptionId, DateTimeOffset ReceivedAt, int Attempts, string? LastError, DateTimeOffset? DeadAt, IReadOnlyList<string> FailedHandlers);

/// <summary>Per-handler failure counts.</summary>
public sealed record HandlerFailureStats(string Handler, long Failures, string? LastError, DateTimeOffset? LastFailedAt);

/// <summary>Inbox depth and health.</summary>
public sealed record InboxStats(long Pending, long Done, long DeadLetters, long StickyUnsubscribes, IReadOnlyList<HandlerFailureStats> Handlers);
