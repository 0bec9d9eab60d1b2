namespace PushListener.Storage;

/// <summary>
/// Which instance runs the work that must run once for all instances sharing a store: the subscription watchdog,
/// retention cleanup and, later, the subscription manager. With SQLite the one instance always leads; with PostgreSQL
/// an advisory lock held by one session decides, and another instance takes over when that session ends.
/// </summary>
internal interface ILeadership
{
    /// <summary>Whether this instance leads now.</summary>
    bool IsLeader { get; }

    /// <summary>Completes when this instance leads, with a token that is cancelled when it stops leading.</summary>
    Task<CancellationToken> WaitForLeadershipAsync(CancellationToken cancellationToken);
}
