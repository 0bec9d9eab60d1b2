namespace PushListener.Simulator.Scheduling;

/// <summary>
/// Exchange's retry schedule for a push the listener did not take: once immediately, then after 30 s, 60 s, 120 s, ...
/// doubling, as long as the waits so far plus the next one stay within StatusFrequency. When the next retry would
/// exceed it, the subscription is dead. The budget counts the waits, not the time spent waiting for answers, so the
/// ladder is the same whatever the listener's timeouts.
/// </summary>
internal static class RetryLadder
{
    /// <summary>The first wait after the immediate retry.</summary>
    public static readonly TimeSpan FirstWait = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The waits before each retry, in Exchange time: <c>[0, 30 s, 60 s, ...]</c>. StatusFrequency 1 minute gives
    /// <c>[0, 30 s]</c> (a 60 s wait would make 90 s), 30 minutes gives <c>[0, 30 s, ..., 480 s]</c> (930 s; 960 s more would pass 1,800 s).
    /// </summary>
    public static IReadOnlyList<TimeSpan> Waits(TimeSpan statusFrequency)
    {
        var waits = new List<TimeSpan> { TimeSpan.Zero };
        var total = TimeSpan.Zero;
        for (var next = FirstWait; total + next <= statusFrequency; next *= 2)
        {
            total += next;
            waits.Add(next);
        }

        return waits;
    }
}
