using PushListener.Feeds;
using PushListener.Subscriptions;
using PushListener.Subscriptions.Management;

namespace PushListener.Storage.PostgreSql;

/// <summary>
/// Keeps this instance's in-memory feeds, registrations and managed callback tokens (what the request path and the feed handler read) in step
/// with the ones other instances create, change or delete through their admin API: the stores notify
/// <see cref="PostgreSqlChannels.Catalog"/> at commit, and this reloads the changed kind from the database (both after
/// the notification session reconnects, since a change may have been missed). A feed released elsewhere also wakes its
/// waiters here, so they end at once as on the instance that released it.
/// </summary>
internal sealed partial class PostgreSqlCatalogSync(PostgreSqlNotifier notifier, IServiceProvider services, ILogger<PostgreSqlCatalogSync> logger) : IHostedService, IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IDisposable? _subscription;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _subscription = notifier.Subscribe(PostgreSqlChannels.Catalog, payload =>
        {
            if (payload is null or PostgreSqlChannels.CatalogFeeds)
            {
                _ = ReloadAsync(ReloadFeedsAsync);
            }

            if (payload is null or PostgreSqlChannels.CatalogRegistrations)
            {
                _ = ReloadAsync(ReloadRegistrationsAsync);
            }

            if (payload is null or PostgreSqlChannels.CatalogManaged)
            {
                _ = ReloadAsync(ReloadManagedTokensAsync);
            }
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _subscription?.Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _subscription?.Dispose();
        _gate.Dispose();
    }

    /// <summary>Reloads now (also called by tests).</summary>
    public async Task ReloadAllAsync(CancellationToken cancellationToken)
    {
        await ReloadFeedsAsync(cancellationToken).ConfigureAwait(false);
        await ReloadRegistrationsAsync(cancellationToken).ConfigureAwait(false);
        await ReloadManagedTokensAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task ReloadAsync(Func<CancellationToken, Task> reload)
    {
        try
        {
            await _gate.WaitAsync().ConfigureAwait(false);
            try
            {
                await reload(CancellationToken.None).ConfigureAwait(false);
            }
            finally
            {
                _gate.Release();
            }
        }
        catch (ObjectDisposedException)
        {
            // Stopping.
        }
        catch (Exception ex)
        {
            ReloadFailed(logger, ex);
        }
    }

    private async Task ReloadFeedsAsync(CancellationToken cancellationToken)
    {
        if (services.GetService<FeedRegistry>() is not { } registry || services.GetService<IFeedStore>() is not { } store)
        {
            return;
        }

        var stored = await store.LoadAsync(cancellationToken).ConfigureAwait(false);
        var handles = stored.Select(f => f.Handle).ToHashSet(StringComparer.Ordinal);
        var signals = services.GetService<FeedSignals>();
        foreach (var gone in registry.Active.Where(f => !handles.Contains(f.Handle)).ToList())
        {
            // As a release on this instance does: the key stops working, and the feed's waiting long-polls and streams
            // look again, find it gone and end (404, `event: released`).
            registry.Remove(gone.Handle);
            signals?.Pulse(gone.Session);
        }

        foreach (var feed in stored.Where(f => registry.Get(f.Handle) is null))
        {
            registry.Add(feed);
        }
    }

    private async Task ReloadRegistrationsAsync(CancellationToken cancellationToken)
    {
        if (services.GetService<RegistrationCatalog>() is not { } catalog || services.GetService<IRegistrationStore>() is not { } store)
        {
            return;
        }

        var stored = await store.ListAsync(cancellationToken).ConfigureAwait(false);
        var names = stored.Select(r => r.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var gone in catalog.All.Where(r => r.Source != "configuration" && !names.Contains(r.Name)).ToList())
        {
            catalog.Remove(gone.Name);
        }

        foreach (var registration in stored.Where(r => catalog[r.Name] is not { Source: "configuration" }))
        {
            catalog.Set(registration);
        }

        foreach (var (subscription, registration) in await store.ListLinksAsync(cancellationToken).ConfigureAwait(false))
        {
            catalog.Link(subscription, registration);
        }
    }

    // The leader makes the callback token of a new configured managed registration; Exchange's pushes to its URL may
    // reach any instance.
    private async Task ReloadManagedTokensAsync(CancellationToken cancellationToken)
    {
        if (services.GetService<ManagedTokenLoader>() is { } loader)
        {
            await loader.LoadAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    [LoggerMessage(915, LogLevel.Warning, "Could not reload the feeds or registrations another instance changed; they are loaded again at the next change or reconnection")]
    private static partial void ReloadFailed(ILogger logger, Exception exception);
}
