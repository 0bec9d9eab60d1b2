namespace PushListener;

/// <summary>
/// The <c>Notification</c> of one <c>SendNotificationResponseMessage</c>: a subscription's events, in the order Exchange sent them.
/// </summary>
public sealed class Notification
{
    /// <summary>Creates a notification.</summary>
    public Notification(string subscriptionId, string? previousWatermark, bool moreEvents, IReadOnlyList<NotificationEvent> events)
    {
        ArgumentException.ThrowIfNullOrEmpty(subscriptionId);
        ArgumentNullException.ThrowIfNull(events);
        SubscriptionId = subscriptionId;
        PreviousWatermark = previousWatermark;
        MoreEvents = moreEvents;
        Events = events;
    }

    /// <summary>The <c>SubscriptionId</c>: opaque, compare it exactly.</summary>
    public string SubscriptionId { get; }

    /// <summary>
    /// The <c>PreviousWatermark</c>: the watermark of the last event Exchange sent before this notification.
    /// When it differs from the last watermark you stored, notifications were missed.
    /// </summary>
    public string? PreviousWatermark { get; }

    /// <summary><c>MoreEvents</c>: <see langword="true"/> when Exchange has more events queued and will POST again at once.</summary>
    public bool MoreEvents { get; }

    /// <summary>The events, in wire order. May mix kinds.</summary>
    public IReadOnlyList<NotificationEvent> Events { get; }

    /// <summary>The watermark of the last event that carries one, or <see langword="null"/>: the subscription's new position.</summary>
    public string? LastWatermark
    {
        get
        {
            for (var i = Events.Count - 1; i >= 0; i--)
            {
                if (Events[i].Watermark is { } watermark)
                {
                    return watermark;
                }
            }

            return null;
        }
    }

    /// <summary><see langword="true"/> when every event is a <see cref="EventKind.Status"/> heartbeat.</summary>
    public bool IsHeartbeat
    {
        get
        {
            for (var i = 0; i < Events.Count; i++)
            {
                if (Events[i].Kind != EventKind.Status)
                {
                    return false;
                }
            }

            return Events.Count > 0;
        }
    }
}
