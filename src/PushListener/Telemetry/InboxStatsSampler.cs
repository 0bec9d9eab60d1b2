using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using PushListener.Feeds;
using PushListener.Hosting;
using PushListener.Inbox;
using PushListener.Subscriptions;

namespace PushListener.Telemetry;

/// <summary>
/// Reads the inbox's depth (pending, in flight, dead-lettered, the oldest pending entry's age), the subscriptions by state
/// and the feeds' backlogs every <see cref="TelemetryOptions.SampleInterval"/>, for the observable gauges of the
/// <c>PushListener</c> meter and for readiness. The one place that reads inbox statistics for telemetry and health, so a
/// new store wires in here. Without an inbox (turned off) the gauges report nothing.
/// </summary>
internal sealed partial class InboxStatsSampler : BackgroundService
{
    private readonly IEntryLog? _store;
    private readonly ISubscriptionRegistry? _subscriptions;
    private readonly FeedRegistry? _feeds;
    private readonly IFeedStore? _feedStore;
    private readonly TimeProvider _time;
    private readonly TimeSpan _interval;
    private readonly ILogger _logger;
    private readonly StartupGate? _startup;
    private readonly SemaphoreSlim _sampling = new(1, 1);
    private readonly Hosting.RepeatedFailureLog _failures;
    private InboxSnapshot? _latest;

    public InboxStatsSampler(
        PushListenerMetrics metrics,
        IOptions<TelemetryOptions> options,
        TimeProvider time,
        ILogger<InboxStatsSampler> logger,
        StartupGate? startup = null,
        IEntryLog? store = null,
        ISubscriptionRegistry? subscriptions = null,
        FeedRegistry? feeds = null,
        IFeedStore? feedStore = null)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        _store = store;
        _subscriptions = subscriptions;
        _feeds = feeds;
        _feedStore = feedStore;
        _time = time;
        _interval = options.Value.SampleInterval;
        _logger = logger;
        _startup = startup;
        _failures = new Hosting.RepeatedFailureLog(time, Hosting.RepeatedFailureLog.OneMinute);
        var meter = metrics.Meter;
        meter.CreateObservableUpDownCounter("pushlistener.inbox.entries", ObserveEntries, "{entry}", "Inbox entries by state: pending (stored, not yet delivered), in_flight (claimed under a live lease), dead_lettered.");
        meter.CreateObservableGauge("pushlistener.inbox.oldest_pending.age", ObserveOldestAge, "s", "Age of the oldest pending inbox entry (0 when none is pending): how far delivery lags.");
        meter.CreateObservableUpDownCounter("pushlistener.subscriptions", ObserveSubscriptions, "{subscription}", "Subscriptions in the registry, by state.");
        meter.CreateObservableUpDownCounter("pushlistener.feed.backlog", ObserveFeeds, "{entry}", "Unacknowledged entries per consumer feed.");
    }

    /// <summary>The latest reading, or null before the first.</summary>
    public InboxSnapshot? Latest => Volatile.Read(ref _latest);

    /// <summary>A reading no older than <paramref name="maxAge"/>, taking one now if needed.</summary>
    public async Task<InboxSnapshot?> GetAsync(TimeSpan maxAge, CancellationToken cancellationToken)
    {
        var latest = Latest;
        if (latest is not null && _time.GetUtcNow() - latest.SampledAt <= maxAge)
        {
            return latest;
        }

        return await SampleAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Takes a reading now (one at a time); throws when the store cannot be read.</summary>
    public async Task<InboxSnapshot?> SampleAsync(CancellationToken cancellationToken)
    {
        if (_store is null)
        {
            return null;
        }

        await _sampling.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var stats = await _store.GetStatsAsync(cancellationToken).ConfigureAwait(false);
            var subscriptions = new Dictionary<string, long>(StringComparer.Ordinal);
            if (_subscriptions is not null)
            {
                // One aggregate query: the registry's rows are never read to be counted.
                foreach (var (state, count) in await _subscriptions.CountByStateAsync(cancellationToken).ConfigureAwait(false))
                {
                    subscriptions[StateName(state)] = count;
                }
            }

            var backlog = new Dictionary<string, long>(StringComparer.Ordinal);
            if (_feeds is not null && _feedStore is not null)
            {
                foreach (var feed in _feeds.Active)
                {
                    if (await _feedStore.GetCountersAsync(feed.Handle, cancellationToken).ConfigureAwait(false) is { } counters)
                    {
                        backlog[feed.Name ?? feed.Handle] = counters.Unacknowledged;
                    }
                }
            }

            var snapshot = new InboxSnapshot(_time.GetUtcNow(), stats, subscriptions, backlog);
            Volatile.Write(ref _latest, snapshot);
            return snapshot;
        }
        finally
        {
            _sampling.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_store is null)
        {
            return;
        }

        using var timer = new PeriodicTimer(_interval, _time);
        try
        {
            // The store is opened by a start-up step: sample once start-up has finished.
            if (_startup is not null)
            {
                await _startup.WaitAsync(stoppingToken).ConfigureAwait(false);
            }

            do
            {
                try
                {
                    await SampleAsync(stoppingToken).ConfigureAwait(false);
                    _failures.ReportSuccess(_logger, "Reading the inbox statistics");
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    _failures.Report(_logger, "Reading the inbox statistics", ex, SampleFailed);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override void Dispose()
    {
        _sampling.Dispose();
        base.Dispose();
    }

    private IEnumerable<Measurement<long>> ObserveEntries()
    {
        if (Latest is not { } snapshot)
        {
            return [];
        }

        return
        [
            new(snapshot.Stats.Pending, new KeyValuePair<string, object?>("state", "pending")),
            new(snapshot.Stats.InFlight, new KeyValuePair<string, object?>("state", "in_flight")),
            new(snapshot.Stats.DeadLettered, new KeyValuePair<string, object?>("state", "dead_lettered")),
        ];
    }

    private IEnumerable<Measurement<double>> ObserveOldestAge()
    {
        if (Latest is not { } snapshot)
        {
            return [];
        }

        var age = snapshot.Stats.OldestPendingReceivedAt is { } oldest ? Math.Max(0, (_time.GetUtcNow() - oldest).TotalSeconds) : 0;
        return [new(age)];
    }

    private IEnumerable<Measurement<long>> ObserveSubscriptions() =>
        Latest is { } snapshot
            ? snapshot.SubscriptionsByState.Select(s => new Measurement<long>(s.Value, new KeyValuePair<string, object?>("state", s.Key)))
            : [];

    private IEnumerable<Measurement<long>> ObserveFeeds() =>
        Latest is { } snapshot
            ? snapshot.FeedBacklog.Select(f => new Measurement<long>(f.Value, new KeyValuePair<string, object?>("feed", f.Key)))
            : [];

    private static string StateName(SubscriptionState state) => state switch
    {
        SubscriptionState.Active => "active",
        SubscriptionState.Silent => "silent",
        SubscriptionState.Failed => "failed",
        SubscriptionState.Unsubscribing => "unsubscribing",
        SubscriptionState.Unsubscribed => "unsubscribed",
        _ => state.ToString().ToLowerInvariant(),
    };

    [LoggerMessage(900, LogLevel.Warning, "Reading the inbox statistics for metrics failed; trying again at the next interval")]
    private static partial void SampleFailed(ILogger logger, Exception exception);
}
