using PushListener.Simulator.Generation;
using PushListener.Simulator.Scheduling;
using PushListener.Simulator.Sending;

namespace PushListener.Simulator.Reporting;

/// <summary>Live counters of a scenario, shared by all subscriptions; read any time for progress.</summary>
internal sealed class ScenarioStats
{
    private long _sent;
    private long _attempts;
    private long _acknowledged;
    private long _retried;
    private long _events;
    private long _heartbeats;
    private long _moreEvents;
    private long _errorPushes;
    private long _unsubscribed;
    private long _dead;
    private long _endedByErrorPush;
    private readonly FailureCounter _failures = new();

    public LatencyRecorder Latency { get; } = new();

    public long Sent => Interlocked.Read(ref _sent);

    public long Acknowledged => Interlocked.Read(ref _acknowledged);

    public long Retried => Interlocked.Read(ref _retried);

    public long Unsubscribed => Interlocked.Read(ref _unsubscribed);

    public long Dead => Interlocked.Read(ref _dead);

    public void PushGenerated(GeneratedPush push)
    {
        Interlocked.Increment(ref _sent);
        switch (push.Kind)
        {
            case PushKind.Heartbeat:
                Interlocked.Increment(ref _heartbeats);
                break;
            case PushKind.Error:
                Interlocked.Increment(ref _errorPushes);
                break;
            default:
                Interlocked.Add(ref _events, push.EventKinds.Count);
                break;
        }

        if (push.MoreEvents)
        {
            Interlocked.Increment(ref _moreEvents);
        }
    }

    public void Attempted(DeliveryResult result, bool retry)
    {
        Interlocked.Increment(ref _attempts);
        if (retry)
        {
            Interlocked.Increment(ref _retried);
        }

        // Latency of answers only: a timeout's "latency" is the timeout.
        if (result.StatusCode is not null)
        {
            Latency.Record(result.Latency);
        }

        if (!_failures.Record(result.Outcome))
        {
            Interlocked.Increment(ref _acknowledged);
        }
    }

    public void Ended(SubscriptionEnd end)
    {
        switch (end)
        {
            case SubscriptionEnd.Unsubscribed:
                Interlocked.Increment(ref _unsubscribed);
                break;
            case SubscriptionEnd.Dead:
                Interlocked.Increment(ref _dead);
                break;
            case SubscriptionEnd.ErrorPush:
                Interlocked.Increment(ref _endedByErrorPush);
                break;
            default:
                break;
        }
    }

    public ScenarioSummary Summarize(ScenarioOptions options, TimeSpan elapsed)
    {
        ArgumentNullException.ThrowIfNull(options);
        var ended = Unsubscribed + Dead + Interlocked.Read(ref _endedByErrorPush);
        return new ScenarioSummary(
            options.Url.ToString(),
            Math.Round(elapsed.TotalSeconds, 3),
            options.Subscriptions,
            options.StatusFrequencyMinutes,
            options.TimeScale,
            Sent,
            Interlocked.Read(ref _attempts),
            Acknowledged,
            Unsubscribed,
            Retried,
            Dead,
            Interlocked.Read(ref _endedByErrorPush),
            options.Subscriptions - ended,
            Interlocked.Read(ref _events),
            Interlocked.Read(ref _heartbeats),
            Interlocked.Read(ref _moreEvents),
            Interlocked.Read(ref _errorPushes),
            _failures.Snapshot(),
            Latency.Summarize());
    }
}

/// <summary>Failed attempts by cause.</summary>
internal sealed record FailureCounts(long Timeout, long HttpError, long Fault, long BadReply, long Connection)
{
    public long Total => Timeout + HttpError + Fault + BadReply + Connection;
}

/// <summary>
/// What a run did, as printed and as written by <c>--json</c>. Pushes: <see cref="Sent"/> notifications (first
/// attempts), <see cref="Attempts"/> POSTs including <see cref="Retried"/> retries, <see cref="Acknowledged"/> POSTs
/// answered OK or Unsubscribe. Subscriptions: <see cref="Unsubscribed"/>, <see cref="Dead"/> (retry budget spent),
/// <see cref="EndedByErrorPush"/>, and <see cref="Active"/> at the end.
/// </summary>
internal sealed record ScenarioSummary(
    string Url,
    double DurationSeconds,
    int Subscriptions,
    int StatusFrequencyMinutes,
    double TimeScale,
    long Sent,
    long Attempts,
    long Acknowledged,
    long Unsubscribed,
    long Retried,
    long Dead,
    long EndedByErrorPush,
    long Active,
    long Events,
    long Heartbeats,
    long MoreEventsPushes,
    long ErrorPushes,
    FailureCounts Failures,
    LatencySummary LatencyMs);
