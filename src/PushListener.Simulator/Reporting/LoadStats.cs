using PushListener.Simulator.Load;
using PushListener.Simulator.Sending;

namespace PushListener.Simulator.Reporting;

/// <summary>Live counters of a load run.</summary>
internal sealed class LoadStats
{
    private long _requests;
    private long _ok;
    private long _unsubscribe;
    private readonly FailureCounter _failures = new();

    public LatencyRecorder Latency { get; } = new();

    public long Requests => Interlocked.Read(ref _requests);

    public long Errors => Requests - Interlocked.Read(ref _ok) - Interlocked.Read(ref _unsubscribe);

    public void Record(DeliveryResult result)
    {
        Interlocked.Increment(ref _requests);
        if (result.StatusCode is not null)
        {
            Latency.Record(result.Latency);
        }

        switch (result.Outcome)
        {
            case DeliveryOutcome.Ok:
                Interlocked.Increment(ref _ok);
                break;
            case DeliveryOutcome.Unsubscribe:
                Interlocked.Increment(ref _unsubscribe);
                break;
            default:
                _failures.Record(result.Outcome);
                break;
        }
    }

    public LoadSummary Summarize(LoadOptions options, TimeSpan elapsed)
    {
        ArgumentNullException.ThrowIfNull(options);
        var requests = Requests;
        return new LoadSummary(
            options.Url.ToString(),
            options.Concurrency,
            options.Rate,
            Math.Round(elapsed.TotalSeconds, 3),
            requests,
            Interlocked.Read(ref _ok),
            Interlocked.Read(ref _unsubscribe),
            Errors,
            _failures.Snapshot(),
            elapsed > TimeSpan.Zero ? Math.Round(requests / elapsed.TotalSeconds, 1) : 0,
            Latency.Summarize());
    }
}

/// <summary>What a load run did, as printed and as written by <c>--json</c>.</summary>
internal sealed record LoadSummary(
    string Url,
    int Concurrency,
    double? Rate,
    double DurationSeconds,
    long Requests,
    long Ok,
    long Unsubscribe,
    long Errors,
    FailureCounts Failures,
    double RequestsPerSecond,
    LatencySummary LatencyMs);
