namespace PushListener.Subscriptions;

/// <summary>What the rules need to know of a subscription as stored, before a push or a silence check.</summary>
/// <param name="State">Its state.</param>
/// <param name="LastWatermark">The last event watermark stored for it.</param>
/// <param name="LastSeen">When it was last heard from.</param>
/// <param name="LastPushWasHeartbeat">Whether that last push was a heartbeat (status event only).</param>
/// <param name="Registration">The registration it belongs to, when known.</param>
/// <param name="ExpectedInterval">The interval between pushes it is expected to keep, when known.</param>
/// <param name="IntervalSource"><c>registered</c> (from its registration) or <c>learned</c> (from heartbeat spacing).</param>
internal sealed record SubscriptionSnapshot(
    SubscriptionState State,
    string? LastWatermark,
    DateTimeOffset LastSeen,
    bool LastPushWasHeartbeat,
    string? Registration,
    TimeSpan? ExpectedInterval,
    string? IntervalSource);
