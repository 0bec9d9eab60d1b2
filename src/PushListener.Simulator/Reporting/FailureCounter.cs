using PushListener.Simulator.Sending;

namespace PushListener.Simulator.Reporting;

/// <summary>Counts failed deliveries by kind, thread-safely; shared by the run and load statistics.</summary>
internal sealed class FailureCounter
{
    private long _timeouts;
    private long _httpErrors;
    private long _faults;
    private long _badReplies;
    private long _connectionErrors;

    /// <summary>Counts <paramref name="outcome"/> if it is a failure; false for OK and Unsubscribe.</summary>
    public bool Record(DeliveryOutcome outcome)
    {
        switch (outcome)
        {
            case DeliveryOutcome.Ok or DeliveryOutcome.Unsubscribe:
                return false;
            case DeliveryOutcome.Timeout:
                Interlocked.Increment(ref _timeouts);
                break;
            case DeliveryOutcome.HttpError:
                Interlocked.Increment(ref _httpErrors);
                break;
            case DeliveryOutcome.Fault:
                Interlocked.Increment(ref _faults);
                break;
            case DeliveryOutcome.BadReply:
                Interlocked.Increment(ref _badReplies);
                break;
            default:
                Interlocked.Increment(ref _connectionErrors);
                break;
        }

        return true;
    }

    public FailureCounts Snapshot() => new(
        Interlocked.Read(ref _timeouts),
        Interlocked.Read(ref _httpErrors),
        Interlocked.Read(ref _faults),
        Interlocked.Read(ref _badReplies),
        Interlocked.Read(ref _connectionErrors));
}
