using PushListener.Inbox;

namespace PushListener.Storage.PostgreSql;

/// <summary>
/// Wakes dispatchers on every instance: <see cref="Notify"/> wakes this instance's dispatcher at once and sends a
/// NOTIFY on <see cref="PostgreSqlChannels.Entries"/> that wakes the others. Sends are coalesced (one in flight, at
/// most one more queued behind it), so a burst of appends costs a few notifications, not one each; the payload names
/// this instance so that it ignores its own. A failed send is dropped: dispatchers also claim on a timer.
/// </summary>
internal sealed partial class PostgreSqlDispatchNotifier : IDispatchNotifier, IDisposable
{
    private readonly InProcessDispatchNotifier _local;
    private readonly PostgreSqlNotifier _notifier;
    private readonly ILogger<PostgreSqlDispatchNotifier> _logger;
    private readonly IDisposable _subscription;
    private readonly string _instance = Guid.NewGuid().ToString("N");

    // 0 idle, 1 sending, more: sending, and asked again meanwhile.
    private int _sending;

    public PostgreSqlDispatchNotifier(PostgreSqlNotifier notifier, PostgreSqlClaimSignal claimable, TimeProvider time, ILogger<PostgreSqlDispatchNotifier> logger)
    {
        _local = new InProcessDispatchNotifier(time);
        _notifier = notifier;
        _logger = logger;
        _subscription = notifier.Subscribe(PostgreSqlChannels.Entries, payload =>
        {
            // A null payload follows a reconnection: signals may have been missed, so look anyway.
            if (payload != _instance)
            {
                // Entries this instance did not append: the next claim searches the whole log for them.
                claimable.Set();
                _local.Notify();
            }
        });
    }

    public void Notify()
    {
        _local.Notify();
        // The first caller starts the sender; later ones only mark that one more send must follow the current one.
        if (Interlocked.Increment(ref _sending) == 1)
        {
            _ = SendAsync();
        }
    }

    public ValueTask<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _local.WaitAsync(timeout, cancellationToken);

    public void Dispose()
    {
        _subscription.Dispose();
        _local.Dispose();
    }

    private async Task SendAsync()
    {
        do
        {
            try
            {
                await _notifier.PublishAsync(PostgreSqlChannels.Entries, _instance, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                SendFailed(_logger, ex);
            }
        }
        while (Interlocked.Exchange(ref _sending, 0) > 1 && Interlocked.Increment(ref _sending) == 1);
    }

    [LoggerMessage(913, LogLevel.Debug, "Could not signal the other instances that entries are claimable; their dispatchers find them on their timer")]
    private static partial void SendFailed(ILogger logger, Exception exception);
}
