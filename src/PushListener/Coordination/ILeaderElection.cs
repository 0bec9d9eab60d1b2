namespace PushListener.Coordination;

/// <summary>
/// Decides which instance runs a job that must run on one instance at a time (the watchdog, retention, the subscription
/// manager). With one process (SQLite) that process always leads (<see cref="SingleInstanceLeaderElection"/>); a shared
/// store elects with its own means (PostgreSQL advisory locks).
/// </summary>
internal interface ILeaderElection
{
    /// <summary>
    /// Takes the lead of <paramref name="job"/> if no other instance holds it; null when another does. Dispose the lease
    /// when the round of work is done (or hold it); watch <see cref="ILeaderLease.Lost"/> while working.
    /// </summary>
    ValueTask<ILeaderLease?> TryAcquireAsync(string job, CancellationToken cancellationToken);
}
