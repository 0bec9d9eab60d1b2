using PushListener.Feeds;

namespace PushListener.Storage.PostgreSql;

/// <summary>
/// Wakes this instance's feed long-polls and event streams when any instance appended to a feed of their session
/// (<see cref="PostgreSqlChannels.Feeds"/>, sent by <see cref="PostgreSqlFeedStore"/> at commit). While the notification
/// session is down, signals from other instances cannot arrive, so every waiter is woken once a second to look at the
/// store (as dispatchers poll), as long as the database answers (when it does not, a woken waiter would only fail its
/// look: it keeps waiting instead); after the session reconnects, every waiter is woken once more, since a signal may have
/// been missed in between. A feed released on another instance wakes its waiters through <see cref="PostgreSqlCatalogSync"/>.
/// </summary>
internal sealed class PostgreSqlFeedWakeup(PostgreSqlNotifier notifier, PostgreSqlDatabase database, IServiceProvider services, TimeProvider time) : IHostedService, IDisposable
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
        // The host may stop a service it has already disposed (a test host torn down under load did): nothing to cancel.
        try
        {
            await _stopping.CancelAsync().ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
        }

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
                if (!notifier.IsListening && await DatabaseAnswersAsync(cancellationToken).ConfigureAwait(false))
                {
                    signals.PulseAll();
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task<bool> DatabaseAnswersAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var probe = new Npgsql.NpgsqlCommand("SELECT 1", connection);
            await probe.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }
#pragma warning disable CA1031 // Whatever fails the probe (an outage, an exhausted pool), the waiters keep waiting.
        catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
        {
            return false;
        }
    }
}
