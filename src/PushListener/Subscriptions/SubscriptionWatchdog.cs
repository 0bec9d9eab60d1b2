using Microsoft.Extensions.Options;
using PushListener.Inbox;

namespace PushListener.Subscriptions;

/// <summary>
/// Marks subscriptions silent when nothing was heard for twice their StatusFrequency (registered, or learned from the
/// heartbeat spacing): Microsoft's advice is to recreate a subscription after that long. Each becomes a lifecycle event.
/// </summary>
internal sealed partial class SubscriptionWatchdog(IInboxStore store, InboxDispatcher dispatcher, IOptions<SubscriptionOptions> options, TimeProvider time, ILogger<SubscriptionWatchdog> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.WatchdogInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                await CheckAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One round of checks (also called by tests).</summary>
    public async Task CheckAsync(CancellationToken cancellationToken)
    {
        try
        {
            var silent = await store.DetectSilentAsync(time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            foreach (var lifecycle in silent)
            {
                WentSilent(logger, lifecycle.SubscriptionId, lifecycle.LastSeen, lifecycle.ExpectedInterval);
            }

            if (silent.Count > 0)
            {
                dispatcher.NotifyStoreChanged();
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            CheckFailed(logger, ex);
        }
    }

    [LoggerMessage(510, LogLevel.Warning, "Subscription {SubscriptionId} is silent: last heard {LastSeen}, expected every {ExpectedInterval}. Exchange has probably dropped it: recreate it.")]
    private static partial void WentSilent(ILogger logger, string subscriptionId, DateTimeOffset? lastSeen, TimeSpan? expectedInterval);

    [LoggerMessage(511, LogLevel.Error, "The subscription watchdog's check failed; trying again at the next interval")]
    private static partial void CheckFailed(ILogger logger, Exception exception);
}
