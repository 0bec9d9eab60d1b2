using PushListener.Feeds;

namespace PushListener.Storage.PostgreSql;

/// <summary>
/// Wakes this instance's feed long-polls and event streams when any instance appended to a feed of their session
/// (<see cref="PostgreSqlChannels.Feeds"/>, sent by <see cref="PostgreSqlFeedStore"/> at commit). After the notification
/// session reconnects, every session is woken: a signal may have been missed, and waking makes waiters look again.
/// </summary>
internal sealed class PostgreSqlFeedWakeup(PostgreSqlNotifier notifier, IServiceProvider services) : IHostedService, IDisposable
{
    private IDisposable? _subscription;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (services.GetService<FeedSignals>() is { } signals && services.GetService<IFeedStore>() is { } feeds)
        {
            _subscription = notifier.Subscribe(PostgreSqlChannels.Feeds, session =>
            {
                if (session is not null)
                {
                    signals.Pulse(session);
                }
                else
                {
                    _ = WakeAllAsync(feeds, signals);
                }
            });
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _subscription?.Dispose();
        _subscription = null;
    }

    private static async Task WakeAllAsync(IFeedStore feeds, FeedSignals signals)
    {
        try
        {
            foreach (var session in (await feeds.LoadAsync(CancellationToken.None).ConfigureAwait(false)).Select(f => f.Session).Distinct(StringComparer.Ordinal))
            {
                signals.Pulse(session);
            }
        }
        catch (Exception ex) when (PostgreSqlDatabase.IsUnavailable(ex))
        {
            // The database is away again; the next reconnection wakes them.
        }
    }
}
