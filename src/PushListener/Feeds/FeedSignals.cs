using System.Collections.Concurrent;

namespace PushListener.Feeds;

/// <summary>
/// Wakes long-polls and event streams when entries arrive: one completion source per session (so a waiter on one handle
/// also learns that a linked handle got something), swapped on each pulse. Waiters take the task before they look at the
/// store, so an append committed between the look and the wait still wakes them; awaiting holds no thread.
/// </summary>
internal sealed class FeedSignals
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _sessions = new(StringComparer.Ordinal);

    public Task Current(string session) =>
        _sessions.GetOrAdd(session, static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public void Pulse(string session)
    {
        if (_sessions.TryRemove(session, out var waiters))
        {
            waiters.TrySetResult();
        }
    }

    /// <summary>Wakes every waiting long-poll and stream, to look at the store again (signals from elsewhere may have been missed).</summary>
    public void PulseAll()
    {
        foreach (var session in _sessions.Keys)
        {
            Pulse(session);
        }
    }
}
