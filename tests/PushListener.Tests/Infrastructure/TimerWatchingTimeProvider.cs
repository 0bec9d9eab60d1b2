using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;

namespace PushListener.Tests.Infrastructure;

/// <summary>
/// A <see cref="FakeTimeProvider"/> (time moves only when the test advances it) that tells the test when code starts
/// waiting for a given time: a long-poll or a stream creates its timer only once it has looked at the store and waits.
/// </summary>
internal sealed class TimerWatchingTimeProvider() : FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero))
{
    private readonly ConcurrentDictionary<TimeSpan, TaskCompletionSource> _created = new();

    /// <summary>Completes once a timer due in <paramref name="dueTime"/> was created (before or after this call).</summary>
    public Task TimerCreated(TimeSpan dueTime) => Source(dueTime).Task;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        Source(dueTime).TrySetResult();
        return timer;
    }

    private TaskCompletionSource Source(TimeSpan dueTime) =>
        _created.GetOrAdd(dueTime, static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
}
