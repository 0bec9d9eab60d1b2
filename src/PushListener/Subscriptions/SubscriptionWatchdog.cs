using Microsoft.Extensions.Options;
using PushListener.Coordination;
using PushListener.Hosting;
using PushListener.Inbox;

namespace PushListener.Subscriptions;

/// <summary>
/// Marks subscriptions silent when nothing was heard for twice their StatusFrequency (registered, or learned from the
/// heartbeat spacing): Microsoft's advice is to recreate a subscription after that long. Each becomes a lifecycle event.
/// Runs on the instance that leads the <c>watchdog</c> job.
/// </summary>
internal sealed partial class SubscriptionWatchdog(ISubscriptionRegistry registry, IDispatchNotifier notifier, ILeaderElection leaders, StartupGate startup, IOptions<SubscriptionOptions> options, TimeProvider time, ILogger<SubscriptionWatchdog> logger) : BackgroundService
{
    private readonly RepeatedFailureLog _failures = new(time, RepeatedFailureLog.OneMinute);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await startup.WaitAsync(stoppingToken).ConfigureAwait(false);
            using var timer = new PeriodicTimer(options.Value.WatchdogInterval, time);
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
            await using var lead = await leaders.TryAcquireAsync("watchdog", cancellationToken).ConfigureAwait(false);
            if (lead is null)
            {
                return;
            }

            var silent = await registry.DetectSilentAsync(time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            foreach (var lifecycle in silent)
            {
                WentSilent(logger, lifecycle.SubscriptionId, lifecycle.LastSeen, lifecycle.ExpectedInterval);
            }

            if (silent.Count > 0)
            {
                notifier.Notify();
            }

            _failures.ReportSuccess(logger, "The subscription watchdog's check");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _failures.Report(logger, "The subscription watchdog's check", ex, CheckFailed);
        }
    }

    [LoggerMessage(510, LogLevel.Warning, "Subscription {SubscriptionId} is silent: last heard {LastSeen}, expected every {ExpectedInterval}. Exchange has probably dropped it: recreate it.")]
    private static partial void WentSilent(ILogger logger, string subscriptionId, DateTimeOffset? lastSeen, TimeSpan? expectedInterval);

    [LoggerMessage(511, LogLevel.Error, "The subscription watchdog's check failed; trying again at the next interval")]
    private static partial void CheckFailed(ILogger logger, Exception exception);
}
