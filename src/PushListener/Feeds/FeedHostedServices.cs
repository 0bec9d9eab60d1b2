using Microsoft.Extensions.Options;

namespace PushListener.Feeds;

/// <summary>
/// Loads the live feeds: a start-up step (<see cref="Hosting.IStartupStep"/>) that runs after the store is open and
/// before the dispatcher starts; the handler also waits for <see cref="FeedRegistry.Loaded"/>.
/// </summary>
internal sealed partial class FeedStartup(IFeedStore store, FeedRegistry registry, ILogger<FeedStartup> logger) : Hosting.IStartupStep
{
    public Hosting.StartupStage Stage => Hosting.StartupStage.LoadState;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            registry.Load(await store.LoadAsync(cancellationToken));
        }
        catch
        {
            registry.MarkUnavailable();
            throw;
        }

        Loaded(logger, registry.Count);
    }

    [LoggerMessage(801, LogLevel.Information, "Feeds: {Count} live")]
    private static partial void Loaded(ILogger logger, int count);
}

/// <summary>Applies each feed's age limit periodically: unacknowledged entries past it become a gap record, tombstones go.</summary>
internal sealed partial class FeedRetentionService(IFeedStore store, FeedRegistry registry, IOptions<FeedsOptions> options, TimeProvider time, ILogger<FeedRetentionService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            if (!await registry.Loaded.WaitAsync(stoppingToken))
            {
                return;
            }

            using var timer = new PeriodicTimer(options.Value.CleanupInterval, time);
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                foreach (var feed in registry.Active)
                {
                    try
                    {
                        if (await store.ApplyAgeLimitAsync(feed, stoppingToken) is { Dropped: > 0 } overflow)
                        {
                            Expired(logger, feed.Handle, overflow.Dropped, feed.MaxAge);
                        }
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        CleanupFailed(logger, feed.Handle, ex);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(803, LogLevel.Warning, "Feed {Handle}: dropped {Dropped} unacknowledged entries older than {MaxAge}; its consumer gets a gap record")]
    private static partial void Expired(ILogger logger, string handle, long dropped, TimeSpan maxAge);

    [LoggerMessage(804, LogLevel.Warning, "Feed {Handle}: cleanup failed; trying again at the next interval")]
    private static partial void CleanupFailed(ILogger logger, string handle, Exception exception);
}
