using PushListener.Hosting;

namespace PushListener.Storage.Sqlite;

/// <summary>Checkpoints the SQLite WAL in the background, once a second, off the writer's thread, once the database is open.</summary>
internal sealed partial class SqliteCheckpointService(SqliteDatabase database, StartupGate startup, TimeProvider time, ILogger<SqliteCheckpointService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), time);
        try
        {
            await startup.WaitAsync(stoppingToken).ConfigureAwait(false);
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await database.CheckpointAsync(stoppingToken).ConfigureAwait(false);
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
