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
}
