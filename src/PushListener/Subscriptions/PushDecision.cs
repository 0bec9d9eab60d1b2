namespace PushListener.Subscriptions;

/// <summary>What <see cref="SubscriptionRules.OnPush"/> decided for one stored message: the store persists it as is.</summary>
/// <param name="State">The subscription's new state.</param>
/// <param name="Gap">The watermark chain broke: notifications were lost before this push.</param>
/// <param name="Unsubscribe">The subscription was marked for unsubscribe (or already answered so): answer Unsubscribe.</param>
/// <param name="Events">Lifecycle events to append before the notification, in order.</param>
/// <param name="Registration">The registration it belongs to from now on.</param>
/// <param name="ExpectedInterval">The expected interval from now on (null: unchanged).</param>
/// <param name="IntervalSource">Where <paramref name="ExpectedInterval"/> came from (null: unchanged).</param>
internal sealed record PushDecision(
    SubscriptionState State,
    bool Gap,
    bool Unsubscribe,
    IReadOnlyList<LifecycleEvent> Events,
    string? Registration,
    TimeSpan? ExpectedInterval,
    string? IntervalSource);
