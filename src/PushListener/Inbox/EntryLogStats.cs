namespace PushListener.Inbox;

/// <summary>The entry log's depth, for metrics gauges, readiness and the admin API.</summary>
/// <param name="Pending">Entries waiting to be claimed (no live lease).</param>
/// <param name="InFlight">Entries claimed under a live lease.</param>
/// <param name="DeadLettered">Dead letters.</param>
/// <param name="Done">Processed entries kept for the retention period.</param>
/// <param name="OldestPendingReceivedAt">When the oldest entry not yet processed (pending or in flight) arrived; null when none.</param>
/// <param name="Handlers">Failure counts per handler.</param>
internal sealed record EntryLogStats(long Pending, long InFlight, long DeadLettered, long Done, DateTimeOffset? OldestPendingReceivedAt, IReadOnlyList<HandlerFailureStats> Handlers);
