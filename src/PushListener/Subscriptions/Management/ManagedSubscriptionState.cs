namespace PushListener.Subscriptions.Management;

/// <summary>Where the manager is with a managed registration's subscription.</summary>
public enum ManagedSubscriptionState
{
    /// <summary>Not subscribed yet (a new registration): the manager subscribes at its next round.</summary>
    Pending = 0,

    /// <summary>Subscribed; the manager watches for silence, error pushes and gaps.</summary>
    Active = 1,

    /// <summary>A resubscribe is due (an error push, a gap, or an operator asked): the manager acts at once.</summary>
    Renewing = 2,

    /// <summary>The last attempt failed for a reason that passes (busy, throttled, network): retried at <c>NextAttemptAt</c>.</summary>
    BackingOff = 3,

    /// <summary>Stopped: retrying cannot help (credentials, permissions, subscription count, or it was answered Unsubscribe). Fix the cause, then force a resubscribe.</summary>
    Stopped = 4,
}
