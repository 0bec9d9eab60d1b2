namespace PushListener.Coordination;

/// <summary>The lead of one job, held until disposed.</summary>
internal interface ILeaderLease : IAsyncDisposable
{
    /// <summary>The job's name.</summary>
    string Job { get; }

    /// <summary>Cancelled when the lead is lost (the connection that held it broke): stop the job's work.</summary>
    CancellationToken Lost { get; }
}
