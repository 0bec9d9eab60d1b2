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

    /// <summary>PushListener created the first subscription of a managed registration.</summary>
    Subscribed,

    /// <summary>
    /// PushListener replaced a managed registration's subscription (it went silent, failed, showed a gap, was found
    /// stale at start-up, or an operator asked). <see cref="LifecycleEvent.PreviousSubscriptionId"/> is answered
    /// Unsubscribe from now on; <see cref="LifecycleEvent.Watermark"/> is where the new one resumed (null: from now).
    /// </summary>
    Resubscribed,

    /// <summary>
    /// Exchange refused the last watermark (<c>ErrorInvalidWatermark</c>: older than about 30 days, or the mailbox moved)
    /// and the new subscription starts from now: events in between are lost. Run a full synchronisation of the mailbox.
    /// </summary>
    ResyncRequired,

    /// <summary>
    /// Subscribing failed. With <see cref="LifecycleEvent.RetryAt"/> PushListener tries again then (server busy, network);
    /// without it PushListener has stopped trying (credentials, permissions, subscription count) until someone fixes the
    /// cause and forces a resubscribe.
    /// </summary>
    SubscribeFailed,
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

    /// <summary>For the managed-subscription kinds: the registration PushListener subscribes for.</summary>
    public string? Registration { get; init; }

    /// <summary>For <see cref="LifecycleKind.Resubscribed"/> and <see cref="LifecycleKind.ResyncRequired"/>: the subscription replaced (answered Unsubscribe from now on).</summary>
    public string? PreviousSubscriptionId { get; init; }

    /// <summary>
    /// For the managed-subscription kinds: why PushListener (re)subscribed: <c>initial</c>, <c>silent</c>, <c>failed</c>,
    /// <c>gap</c>, <c>stale</c> (found silent at start-up), <c>forced</c> (an operator) or <c>invalidWatermark</c>.
    /// </summary>
    public string? Reason { get; init; }

    /// <summary>For <see cref="LifecycleKind.Subscribed"/> and <see cref="LifecycleKind.Resubscribed"/>: the watermark the subscription resumed from; null when it starts from now.</summary>
    public string? Watermark { get; init; }

    /// <summary>For <see cref="LifecycleKind.SubscribeFailed"/>: when PushListener tries again; null when it has stopped trying.</summary>
    public DateTimeOffset? RetryAt { get; init; }
}
