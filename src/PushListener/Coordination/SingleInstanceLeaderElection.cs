namespace PushListener.Coordination;

/// <summary>Leadership for a store only one process uses (SQLite): this process always leads every job.</summary>
internal sealed class SingleInstanceLeaderElection : ILeaderElection
{
    public ValueTask<ILeaderLease?> TryAcquireAsync(string job, CancellationToken cancellationToken) =>
        ValueTask.FromResult<ILeaderLease?>(new Lease(job));

    private sealed class Lease(string job) : ILeaderLease
    {
        public string Job { get; } = job;

        public CancellationToken Lost => CancellationToken.None;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
