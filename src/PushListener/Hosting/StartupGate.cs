namespace PushListener.Hosting;

/// <summary>
/// Opens once every start-up step has run: background workers (the dispatcher, the watchdog, retention) wait for it
/// instead of relying on the order hosted services were registered in.
/// </summary>
internal sealed class StartupGate
{
    private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when start-up has finished; never, when start-up failed (the host stops).</summary>
    public Task WaitAsync(CancellationToken cancellationToken) => _open.Task.WaitAsync(cancellationToken);

    public void Open() => _open.TrySetResult();
}
