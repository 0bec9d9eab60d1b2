namespace PushListener;

/// <summary>
/// One event of a notification (<c>CreatedEvent</c>, <c>StatusEvent</c>, ...) with every field EWS defines for it.
/// Fields an event kind does not carry are <see langword="null"/>.
/// </summary>
public sealed class NotificationEvent
{
    /// <summary>Creates an event.</summary>
    public NotificationEvent(
        EventKind kind,
        string? watermark,
        DateTimeOffset? timeStamp = null,
        ObjectId? objectId = null,
        ObjectId? parentFolderId = null,
        ObjectId? oldObjectId = null,
        ObjectId? oldParentFolderId = null,
        int? unreadCount = null)
    {
        Kind = kind;
        Watermark = watermark;
        TimeStamp = timeStamp;
        ObjectId = objectId;
        ParentFolderId = parentFolderId;
        OldObjectId = oldObjectId;
        OldParentFolderId = oldParentFolderId;
        UnreadCount = unreadCount;
    }

    private NotificationEvent(string elementName, string elementNamespace, string xml, string? watermark)
        : this(EventKind.Unknown, watermark)
    {
        ElementName = elementName;
        ElementNamespace = elementNamespace;
        Xml = xml;
    }

    /// <summary>
    /// Creates an <see cref="EventKind.Unknown"/> event: an event element this version does not know, kept whole.
    /// </summary>
    /// <param name="elementName">The element's local name, for example <c>FutureEvent</c>.</param>
    /// <param name="elementNamespace">The element's namespace URI.</param>
    /// <param name="xml">The element as XML, with the namespace declarations it needs.</param>
    /// <param name="watermark">The element's <c>Watermark</c> child, if it has one.</param>
    public static NotificationEvent Unknown(string elementName, string elementNamespace, string xml, string? watermark)
    {
        ArgumentException.ThrowIfNullOrEmpty(elementName);
        ArgumentNullException.ThrowIfNull(elementNamespace);
        ArgumentException.ThrowIfNullOrEmpty(xml);
        return new NotificationEvent(elementName, elementNamespace, xml, watermark);
    }

    /// <summary>The event kind.</summary>
    public EventKind Kind { get; }

    /// <summary>The event's <c>Watermark</c>: the bookmark a subscription can be recreated from. <see langword="null"/> when absent.</summary>
    public string? Watermark { get; }

    /// <summary>The <c>TimeStamp</c> of the change; <see langword="null"/> for <see cref="EventKind.Status"/>.</summary>
    public DateTimeOffset? TimeStamp { get; }

    /// <summary>The <c>ItemId</c> or <c>FolderId</c> the event is about; <see langword="null"/> for <see cref="EventKind.Status"/>.</summary>
    public ObjectId? ObjectId { get; }

    /// <summary>The <c>ParentFolderId</c>: the folder that holds <see cref="ObjectId"/> (after the move or copy).</summary>
    public ObjectId? ParentFolderId { get; }

    /// <summary>For <see cref="EventKind.Moved"/> and <see cref="EventKind.Copied"/>: <c>OldItemId</c> or <c>OldFolderId</c>.</summary>
    public ObjectId? OldObjectId { get; }

    /// <summary>For <see cref="EventKind.Moved"/> and <see cref="EventKind.Copied"/>: <c>OldParentFolderId</c>.</summary>
    public ObjectId? OldParentFolderId { get; }

    /// <summary>For <see cref="EventKind.Modified"/> events on folders: the folder's <c>UnreadCount</c>, when sent.</summary>
    public int? UnreadCount { get; }

    /// <summary>For <see cref="EventKind.Unknown"/>: the element's local name (for example <c>FutureEvent</c>); <see langword="null"/> for known kinds.</summary>
    public string? ElementName { get; }

    /// <summary>For <see cref="EventKind.Unknown"/>: the element's namespace URI; <see langword="null"/> for known kinds.</summary>
    public string? ElementNamespace { get; }

    /// <summary>
    /// For <see cref="EventKind.Unknown"/>: the whole element as XML (comments and whitespace between elements removed,
    /// the namespace declarations in scope written on it), so a handler can read what this version does not model;
    /// <see langword="null"/> for known kinds.
    /// </summary>
    public string? Xml { get; }

    /// <summary><see langword="true"/> when the event is about a folder rather than an item.</summary>
    public bool IsFolderEvent => ObjectId is { Kind: ObjectIdKind.Folder };
}
