using System.Collections.Concurrent;
using System.Diagnostics;

namespace PushListener.Telemetry;

/// <summary>
/// Carries a push's trace context from the request that stored an entry to the dispatcher that delivers it, by dedupe
/// key, so the delivery Activity can link to the push Activity. Holds nothing while tracing is off. Bounded: past
/// <see cref="Capacity"/> entries (a delivery backlog), new pushes go unlinked rather than growing memory.
/// </summary>
internal sealed class PushTraceLinks
{
    public const int Capacity = 10_000;

    private readonly ConcurrentDictionary<string, ActivityContext> _links = new(StringComparer.Ordinal);

    /// <summary>Remembers the current push Activity for the entry stored under <paramref name="dedupeKey"/>.</summary>
    public void Remember(string dedupeKey)
    {
        if (Activity.Current is { Recorded: true, Source.Name: PushActivities.SourceName } activity && _links.Count < Capacity)
        {
            _links[dedupeKey] = activity.Context;
        }
    }

    /// <summary>Forgets a key whose entry was not stored (a duplicate, or a failed write).</summary>
    public void Forget(string dedupeKey)
    {
        if (!_links.IsEmpty)
        {
            _links.TryRemove(dedupeKey, out _);
        }
    }

    /// <summary>The push's context for a delivery, once; null when unknown (recovered after a restart, tracing off).</summary>
    public ActivityContext? Take(string dedupeKey) =>
        !_links.IsEmpty && _links.TryRemove(dedupeKey, out var context) ? context : null;
}
