namespace PushListener.Inbox;

/// <summary>Opens the store and loads sticky votes before the server takes requests; closes it last.</summary>
internal sealed partial class InboxStartup(IInboxStore store, StickyVotes sticky, ILogger<InboxStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await store.InitializeAsync(cancellationToken).ConfigureAwait(false);
        await sticky.LoadAsync(cancellationToken).ConfigureAwait(false);
        if (store is Sqlite.SqliteInboxStore sqlite)
        {
            Opened(logger, sqlite.DatabasePath);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(320, LogLevel.Information, "Inbox: {DatabasePath} (SQLite, WAL, synchronous=FULL)")]
    private static partial void Opened(ILogger logger, string databasePath);
}

/// <summary>Deletes processed entries past the retention, periodically.</summary>
internal sealed partial class InboxRetentionService(IInboxStore store, Microsoft.Extensions.Options.IOptions<InboxOptions> options, TimeProvider time, ILogger<InboxRetentionService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.CleanupInterval, time);
        try
        {
            do
            {
                try
                {
                    var deleted = await store.DeleteProcessedAsync(time.GetUtcNow() - options.Value.Retention, stoppingToken).ConfigureAwait(false);
                    if (deleted > 0)
                    {
                        Cleaned(logger, deleted, options.Value.Retention);
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    CleanupFailed(logger, ex);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(321, LogLevel.Information, "Deleted {Count} processed inbox entries older than {Retention}")]
    private static partial void Cleaned(ILogger logger, int count, TimeSpan retention);

    [LoggerMessage(322, LogLevel.Warning, "Inbox cleanup failed; trying again at the next interval")]
    private static partial void CleanupFailed(ILogger logger, Exception exception);
}

/// <summary>Checkpoints the SQLite WAL in the background, once a second, off the writer's thread.</summary>
internal sealed partial class InboxCheckpointService(IInboxStore store, TimeProvider time, ILogger<InboxCheckpointService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (store is not Sqlite.SqliteInboxStore sqlite)
        {
            return;
        }

        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await sqlite.CheckpointAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    CheckpointFailed(logger, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(323, LogLevel.Warning, "Checkpointing the inbox's write-ahead log failed; trying again in a second")]
    private static partial void CheckpointFailed(ILogger logger, Exception exception);
}
