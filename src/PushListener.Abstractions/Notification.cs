namespace PushListener;

/// <summary>
/// The <c>Notification</c> of one <c>SendNotificationResponseMessage</c>: a subscription's events, in the order Exchange sent them.
/// </summary>
public sealed class Notification
{
    /// <summary>Creates a notification whose <c>MoreEvents</c> element was sent with the value <paramref name="moreEvents"/>.</summary>
    public Notification(string subscriptionId, string? previousWatermark, bool moreEvents, IReadOnlyList<NotificationEvent> events)
        : this(subscriptionId, previousWatermark, (bool?)moreEvents, events)
    {
    }

    /// <summary>Creates a notification; <paramref name="moreEvents"/> is <see langword="null"/> when the sender omitted <c>MoreEvents</c>.</summary>
    public Notification(string subscriptionId, string? previousWatermark, bool? moreEvents, IReadOnlyList<NotificationEvent> events)
    {
        ArgumentException.ThrowIfNullOrEmpty(subscriptionId);
        ArgumentNullException.ThrowIfNull(events);
        SubscriptionId = subscriptionId;
        PreviousWatermark = previousWatermark;
        MoreEvents = moreEvents ?? false;
        MoreEventsSpecified = moreEvents.HasValue;
        Events = events;
    }

    /// <summary>The <c>SubscriptionId</c>: opaque, compare it exactly.</summary>
    public string SubscriptionId { get; }

    /// <summary>
    /// The <c>PreviousWatermark</c>: the watermark of the last event Exchange sent before this notification.
    /// When it differs from the last watermark you stored, notifications were missed.
    /// </summary>
    public string? PreviousWatermark { get; }

    /// <summary>
    /// <c>MoreEvents</c>: <see langword="true"/> when Exchange has more events queued and will POST again at once;
    /// <see langword="false"/> when it said so or did not say (see <see cref="MoreEventsSpecified"/>).
    /// </summary>
    public bool MoreEvents { get; }

    /// <summary>
    /// <see langword="true"/> when the sender included the <c>MoreEvents</c> element (it is optional in the schema).
    /// The JSON documents write <c>moreEvents: null</c> when it is <see langword="false"/>.
    /// </summary>
    public bool MoreEventsSpecified { get; }

    /// <summary>The events, in wire order. May mix kinds.</summary>
    public IReadOnlyList<NotificationEvent> Events { get; }

    /// <summary>A copy of this notification with <paramref name="events"/> instead of its events (for filtered deliveries); everything else unchanged.</summary>
    public Notification WithEvents(IReadOnlyList<NotificationEvent> events) =>
        new(SubscriptionId, PreviousWatermark, MoreEventsSpecified ? MoreEvents : null, events);

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
