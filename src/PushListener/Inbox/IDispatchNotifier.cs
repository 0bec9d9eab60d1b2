namespace PushListener.Inbox;

/// <summary>
/// Wakes dispatchers when entries became claimable (appended, replayed, raised by the watchdog). In one process an
/// in-process signal (<see cref="InProcessDispatchNotifier"/>); a shared store adds a cross-process one (LISTEN/NOTIFY).
/// Dispatchers also claim on a timer, so a lost signal only delays work.
/// </summary>
internal interface IDispatchNotifier
{
    /// <summary>Signals that entries became claimable. Coalesces, never blocks, never throws.</summary>
    void Notify();

    /// <summary>Waits for a signal; true when signalled, false after <paramref name="timeout"/>.</summary>
    ValueTask<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken);
}
