using System.Collections.Concurrent;

namespace PushListener.Simulator.Tests.Infrastructure;

/// <summary>Real time, but remembers every timer asked for: the exact waits the simulator scheduled.</summary>
internal sealed class RecordingTimeProvider : TimeProvider
{
    public ConcurrentQueue<TimeSpan> Timers { get; } = new();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        Timers.Enqueue(dueTime);
        return System.CreateTimer(callback, state, dueTime, period);
    }
}
