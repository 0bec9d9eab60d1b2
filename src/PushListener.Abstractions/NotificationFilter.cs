namespace PushListener;

/// <summary>
/// Which notifications a handler wants. Every criterion left <see langword="null"/> matches everything; set criteria must
/// all match. Event criteria narrow the notification to the matching events; a notification left with none is not delivered.
/// </summary>
public sealed record NotificationFilter
{
    /// <summary>Matches every notification and error push (not lifecycle events).</summary>
    public static NotificationFilter Any { get; } = new();

    /// <summary>Matches every notification, error push and lifecycle event.</summary>
    public static NotificationFilter Everything { get; } = new() { IncludeLifecycle = true };

    /// <summary>Subscription ids to accept; <c>*</c> matches any run of characters (for example <c>FgBk*</c>). Default: any.</summary>
    public IReadOnlyList<string>? SubscriptionIds { get; init; }

    /// <summary>Event kinds to deliver. Default: any.</summary>
    public IReadOnlyList<EventKind>? EventKinds { get; init; }

    /// <summary>Folder ids: an event matches when its folder, parent folder or old parent folder is one of them. Default: any.</summary>
    public IReadOnlyList<string>? FolderIds { get; init; }

    /// <summary>Deliver error pushes (<c>ErrorReadEventsFailed</c> and the like). Default <see langword="true"/>.</summary>
    public bool IncludeErrors { get; init; } = true;

    /// <summary>
    /// Deliver lifecycle events (gap detected, silent, failed, resumed). Handlers opt in explicitly: <see langword="null"/>
    /// means no on a handler's own filter, and "as the handler says" on a registration's filter. Default <see langword="null"/>.
    /// </summary>
    public bool? IncludeLifecycle { get; init; }

    /// <summary>Whether the filter narrows events (and so may hand the handler a reduced notification).</summary>
    public bool SelectsEvents => EventKinds is not null || FolderIds is not null;

    /// <summary>True when <paramref name="subscriptionId"/> is accepted.</summary>
    public bool MatchesSubscription(string? subscriptionId)
    {
        if (SubscriptionIds is null)
        {
            return true;
        }

        if (subscriptionId is null)
        {
            return false;
        }

        for (var i = 0; i < SubscriptionIds.Count; i++)
        {
            if (Wildcard.IsMatch(SubscriptionIds[i], subscriptionId))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>True when <paramref name="notificationEvent"/> passes the event criteria.</summary>
    public bool MatchesEvent(NotificationEvent notificationEvent)
    {
        ArgumentNullException.ThrowIfNull(notificationEvent);
        if (EventKinds is not null && !Contains(EventKinds, notificationEvent.Kind))
        {
            return false;
        }

        if (FolderIds is null)
        {
            return true;
        }

        return InFolders(notificationEvent.ObjectId is { Kind: ObjectIdKind.Folder } folder ? folder.Id : null)
            || InFolders(notificationEvent.ParentFolderId?.Id)
            || InFolders(notificationEvent.OldParentFolderId?.Id);
    }

    private bool InFolders(string? id)
    {
        if (id is null)
        {
            return false;
        }

        for (var i = 0; i < FolderIds!.Count; i++)
        {
            if (string.Equals(FolderIds[i], id, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static bool Contains(IReadOnlyList<EventKind> kinds, EventKind kind)
    {
        for (var i = 0; i < kinds.Count; i++)
        {
            if (kinds[i] == kind)
            {
                return true;
            }
        }

        return false;
    }
}
