namespace PushListener.Storage;

/// <summary>The embedded store has one instance, which always leads.</summary>
internal sealed class SingleInstanceLeadership : ILeadership
{
    public bool IsLeader => true;

    public Task<CancellationToken> WaitForLeadershipAsync(CancellationToken cancellationToken) => Task.FromResult(CancellationToken.None);
}
