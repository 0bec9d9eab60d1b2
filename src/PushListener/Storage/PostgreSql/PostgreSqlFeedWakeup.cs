using PushListener.Feeds;

namespace PushListener.Storage.PostgreSql;

/// <summary>
/// Wakes this instance's feed long-polls and event streams when any instance appended to a feed of their session
/// (<see cref="PostgreSqlChannels.Feeds"/>, sent by <see cref="PostgreSqlFeedStore"/> at commit). While the notification
/// session is down, signals from other instances cannot arrive, so every waiter is woken once a second to look at the
/// store (as dispatchers poll); after the session reconnects, every waiter is woken once more, since a signal may have
/// been missed in between. A feed released on another instance wakes its waiters through <see cref="PostgreSqlCatalogSync"/>.
/// </summary>
internal sealed class PostgreSqlFeedWakeup(PostgreSqlNotifier notifier, IServiceProvider services, TimeProvider time) : IHostedService, IDisposable
{
    /// <summary>How often waiters look at the store while the notification session is down.</summary>
    internal static readonly TimeSpan DegradedPollInterval = TimeSpan.FromSeconds(1);

    private readonly CancellationTokenSource _stopping = new();
    private IDisposable? _subscription;
    private Task _polling = Task.CompletedTask;
    private bool _disposed;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (services.GetService<FeedSignals>() is { } signals && services.GetService<IFeedStore>() is not null)
        {
            _subscription = notifier.Subscribe(PostgreSqlChannels.Feeds, session =>
            {
                if (session is not null)
                {
                    signals.Pulse(session);
                }
                else
                {
                    signals.PulseAll();
                }
            });
            _polling = PollWhileDisconnectedAsync(signals, _stopping.Token);
        }

        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _subscription?.Dispose();
        _subscription = null;
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _polling.ConfigureAwait(false);
    }

    public void Dispose()
    {
        _subscription?.Dispose();
        _subscription = null;
        if (!_disposed)
        {
            _disposed = true;
            _stopping.Cancel();
            _stopping.Dispose();
        }
    }

    private async Task PollWhileDisconnectedAsync(FeedSignals signals, CancellationToken cancellationToken)
    {
        try
        {
            using var timer = new PeriodicTimer(DegradedPollInterval, time);
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                if (!notifier.IsListening)
                {
                    signals.PulseAll();
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
