namespace PushListener.Inbox;

/// <summary>Entries that ran out of attempts: listed, replayed (in place, keeping their id) or purged by an operator.</summary>
internal interface IDeadLetterStore
{
    /// <summary>Dead letters, oldest first.</summary>
    Task<IReadOnlyList<DeadLetter>> ListAsync(int max, CancellationToken cancellationToken);

    /// <summary>
    /// Makes one dead letter (or all, when <paramref name="entryId"/> is null) pending again with its attempts reset. The
    /// entry keeps its id (so handlers see the same delivery id), and handlers that had succeeded are not run again.
    /// </summary>
    Task<int> ReplayAsync(long? entryId, CancellationToken cancellationToken);

    /// <summary>Deletes one dead letter (or all).</summary>
    Task<int> PurgeAsync(long? entryId, CancellationToken cancellationToken);
}
