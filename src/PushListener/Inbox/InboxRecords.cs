namespace PushListener.Inbox;

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

/// <summary>A dead letter, as the admin API and command line show it.</summary>
public sealed record DeadLetter(long Id, string? SubscriptionId, DateTimeOffset ReceivedAt, int Attempts, string? LastError, DateTimeOffset? DeadAt, IReadOnlyList<string> FailedHandlers);

/// <summary>Per-handler failure counts.</summary>
public sealed record HandlerFailureStats(string Handler, long Failures, string? LastError, DateTimeOffset? LastFailedAt);
