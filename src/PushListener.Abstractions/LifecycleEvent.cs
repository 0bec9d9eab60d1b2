namespace PushListener;

/// <summary>What happened to a subscription, as opposed to what happened in its mailbox.</summary>
public enum LifecycleKind
{
    /// <summary>
    /// A notification's <c>PreviousWatermark</c> is not the last watermark stored for its subscription: notifications were
    /// missed. <see cref="LifecycleEvent.LastStoredWatermark"/> is where a resubscribe from a watermark would start.
    /// </summary>
    GapDetected,

    /// <summary>Nothing was heard for twice the subscription's StatusFrequency: Exchange has probably dropped it. Recreate it.</summary>
    Silent,

    /// <summary>Exchange sent an error push (for example <c>ErrorReadEventsFailed</c>): the subscription is dead. Recreate it.</summary>
    Failed,

    /// <summary>A silent subscription was heard from again.</summary>
    Resumed,
}

/// <summary>A lifecycle event of a subscription, delivered to handlers whose filter sets <see cref="NotificationFilter.IncludeLifecycle"/>.</summary>
/// <param name="Kind">What happened.</param>
/// <param name="SubscriptionId">The subscription.</param>
/// <param name="OccurredAt">When the listener noticed.</param>
public sealed record LifecycleEvent(LifecycleKind Kind, string SubscriptionId, DateTimeOffset OccurredAt)
{
    /// <summary>For <see cref="LifecycleKind.GapDetected"/>: the last watermark stored before the gap.</summary>
    public string? LastStoredWatermark { get; init; }

    /// <summary>For <see cref="LifecycleKind.GapDetected"/>: the <c>PreviousWatermark</c> the notification carried.</summary>
    public string? ReceivedPreviousWatermark { get; init; }

    /// <summary>For <see cref="LifecycleKind.Silent"/> and <see cref="LifecycleKind.Resumed"/>: when the subscription was last heard from.</summary>
    public DateTimeOffset? LastSeen { get; init; }

    /// <summary>For <see cref="LifecycleKind.Silent"/>: the interval expected between pushes (StatusFrequency, registered or learned).</summary>
    public TimeSpan? ExpectedInterval { get; init; }

    /// <summary>For <see cref="LifecycleKind.Failed"/>: the error push's <c>ResponseCode</c>.</summary>
    public string? ResponseCode { get; init; }

    /// <summary>For <see cref="LifecycleKind.Failed"/>: the error push's <c>MessageText</c>.</summary>
    public string? MessageText { get; init; }
}
