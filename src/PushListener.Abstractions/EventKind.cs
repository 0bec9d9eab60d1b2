namespace PushListener;

/// <summary>The kind of a mailbox event, one per EWS event element.</summary>
public enum EventKind
{
    /// <summary><c>CopiedEvent</c>: an item or folder was copied.</summary>
    Copied,

    /// <summary><c>CreatedEvent</c>: an item or folder was created.</summary>
    Created,

    /// <summary><c>DeletedEvent</c>: an item or folder was deleted.</summary>
    Deleted,

    /// <summary><c>ModifiedEvent</c>: an item or folder was modified.</summary>
    Modified,

    /// <summary><c>MovedEvent</c>: an item or folder was moved.</summary>
    Moved,

    /// <summary><c>NewMailEvent</c>: a message arrived.</summary>
    NewMail,

    /// <summary><c>StatusEvent</c>: the heartbeat Exchange sends when nothing happened for StatusFrequency minutes.</summary>
    Status,

    /// <summary><c>FreeBusyChangedEvent</c>: the mailbox's free/busy information changed (Exchange 2010 SP1 and later).</summary>
    FreeBusyChanged,

    /// <summary>
    /// An event element this listener does not know: an EWS namespace element in a <c>Notification</c> whose name ends in
    /// <c>Event</c> but is none of the above (a newer Exchange's event type, or a misspelled one). It is delivered rather
    /// than dropped, with <see cref="NotificationEvent.ElementName"/>, <see cref="NotificationEvent.ElementNamespace"/> and
    /// the element itself in <see cref="NotificationEvent.Xml"/>; <see cref="NotificationEvent.Watermark"/> is set when the
    /// element has a <c>Watermark</c> child, so the subscription's watermark chain stays whole.
    /// </summary>
    Unknown,
}
