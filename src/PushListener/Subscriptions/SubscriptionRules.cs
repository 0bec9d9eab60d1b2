namespace PushListener.Subscriptions;

/// <summary>
/// The subscription state machine, with no storage in it: given what is stored about a subscription and what a push (or
/// the passing of time) shows, which state it moves to and which lifecycle events that raises. Stores persist these
/// decisions in the transaction that stores the push.
/// <list type="bullet">
/// <item>Any push: a <see cref="SubscriptionState.Silent"/> subscription is <see cref="LifecycleKind.Resumed"/>.</item>
/// <item>A PreviousWatermark that is not the last stored watermark: <see cref="LifecycleKind.GapDetected"/> (notifications were lost).</item>
/// <item>An error push: <see cref="LifecycleKind.Failed"/> and state <see cref="SubscriptionState.Failed"/> (Exchange ended it).</item>
/// <item>Marked <see cref="SubscriptionState.Unsubscribing"/> (or already <see cref="SubscriptionState.Unsubscribed"/>): answered Unsubscribe, state Unsubscribed.</item>
/// <item>Otherwise <see cref="SubscriptionState.Active"/>.</item>
/// <item>An active subscription not heard for twice its expected interval: <see cref="LifecycleKind.Silent"/>.</item>
/// </list>
/// </summary>
internal static class SubscriptionRules
{
    /// <summary>The interval source of a registration's StatusFrequency; it is never replaced by a learned one.</summary>
    public const string Registered = "registered";

    /// <summary>The interval source learned from the spacing of two heartbeats in a row.</summary>
    public const string Learned = "learned";

    /// <summary>Decides what a stored message of <paramref name="subscriptionId"/> does to it; <paramref name="current"/> is null for a new subscription.</summary>
    public static PushDecision OnPush(string subscriptionId, SubscriptionSnapshot? current, RegistryUpdate observed, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(observed);
        var events = new List<LifecycleEvent>(1);
        if (current is { State: SubscriptionState.Silent })
        {
            events.Add(new LifecycleEvent(LifecycleKind.Resumed, subscriptionId, at) { LastSeen = current.LastSeen });
        }

        var gap = current?.LastWatermark is { } last && observed.PreviousWatermark is { } previous && !string.Equals(last, previous, StringComparison.Ordinal);
        if (gap)
        {
            events.Add(new LifecycleEvent(LifecycleKind.GapDetected, subscriptionId, at) { LastStoredWatermark = current!.LastWatermark, ReceivedPreviousWatermark = observed.PreviousWatermark });
        }

        if (observed.IsError)
        {
            events.Add(new LifecycleEvent(LifecycleKind.Failed, subscriptionId, at) { ResponseCode = observed.ResponseCode, MessageText = observed.MessageText });
        }

        var unsubscribe = current?.State is SubscriptionState.Unsubscribing or SubscriptionState.Unsubscribed;
        var state = unsubscribe ? SubscriptionState.Unsubscribed : observed.IsError ? SubscriptionState.Failed : SubscriptionState.Active;

        // A registration's StatusFrequency wins; otherwise two heartbeats in a row teach the interval.
        TimeSpan? interval = null;
        string? source = null;
        if (observed.RegisteredInterval is { } registered)
        {
            (interval, source) = (registered, Registered);
        }
        else if (observed.IsHeartbeat && current is { LastPushWasHeartbeat: true } && current.IntervalSource != Registered && at > current.LastSeen)
        {
            (interval, source) = (at - current.LastSeen, Learned);
        }

        return new PushDecision(state, gap, unsubscribe, events, observed.Registration ?? current?.Registration, interval, source);
    }

    /// <summary>The <see cref="LifecycleKind.Silent"/> event for a subscription silent too long at <paramref name="now"/>, or null.</summary>
    public static LifecycleEvent? OnSilenceCheck(string subscriptionId, SubscriptionSnapshot current, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(current);
        if (current.State != SubscriptionState.Active || current.ExpectedInterval is not { } interval || current.LastSeen + (2 * interval) >= now)
        {
            return null;
        }

        return new LifecycleEvent(LifecycleKind.Silent, subscriptionId, now) { LastSeen = current.LastSeen, ExpectedInterval = interval };
    }
}
