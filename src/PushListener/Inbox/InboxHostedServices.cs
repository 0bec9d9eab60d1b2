using Microsoft.Extensions.Options;
using PushListener.Coordination;
using PushListener.Hosting;

namespace PushListener.Inbox;

/// <summary>Deletes processed entries past the retention, periodically, on the instance that leads the <c>retention</c> job.</summary>
internal sealed partial class InboxRetentionService(IEntryLog entries, ILeaderElection leaders, StartupGate startup, IOptions<InboxOptions> options, TimeProvider time, ILogger<InboxRetentionService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await startup.WaitAsync(stoppingToken).ConfigureAwait(false);
            using var timer = new PeriodicTimer(options.Value.CleanupInterval, time);
            do
            {
                try
                {
                    await using var lead = await leaders.TryAcquireAsync("retention", stoppingToken).ConfigureAwait(false);
                    if (lead is null)
                    {
                        continue;
                    }

                    var deleted = await entries.DeleteProcessedAsync(time.GetUtcNow() - options.Value.Retention, stoppingToken).ConfigureAwait(false);
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
