using PushListener.Pipeline;

namespace PushListener.Feeds;

/// <summary>
/// What a feed collects (the scope of its registration). Source criteria (subscriptions, registrations, mailboxes) are
/// alternatives: a notification is in scope when it matches any of them, or when none is set. Event criteria narrow a
/// notification to the matching events: kinds, and then folders or items (an event passes when its folder, parent folder
/// or old parent folder is listed, or its item or old item is). Stored as JSON with the feed.
/// </summary>
internal sealed record FeedScope
{
    /// <summary>Subscription ids or <c>*</c> patterns.</summary>
    public IReadOnlyList<string>? SubscriptionIds { get; init; }

    /// <summary>Registration names (case-insensitive).</summary>
    public IReadOnlyList<string>? Registrations { get; init; }

    /// <summary>Mailboxes of registrations (case-insensitive).</summary>
    public IReadOnlyList<string>? Mailboxes { get; init; }

    /// <summary>Event kinds, as <see cref="EventKind"/> names.</summary>
    public IReadOnlyList<string>? EventKinds { get; init; }

    /// <summary>Folder ids.</summary>
    public IReadOnlyList<string>? FolderIds { get; init; }

    /// <summary>Item ids.</summary>
    public IReadOnlyList<string>? ItemIds { get; init; }

    /// <summary>Collect error pushes. Default true.</summary>
    public bool IncludeErrors { get; init; } = true;

    /// <summary>Collect lifecycle events (gap detected, silent, failed, resumed). Default false.</summary>
    public bool IncludeLifecycle { get; init; }
}

/// <summary>What kind of entry a feed holds; the numbers are stored.</summary>
internal enum FeedEntryKind
{
    Notification = 0,
    Error = 1,
    Lifecycle = 2,
    Gap = 3,
}

/// <summary>A <see cref="FeedScope"/> prepared for matching on the pipeline's path: sets instead of lists, kinds parsed.</summary>
internal sealed class FeedMatcher
{
    private readonly string[]? _subscriptions;
    private readonly HashSet<string>? _registrations;
    private readonly HashSet<string>? _mailboxes;
    private readonly HashSet<EventKind>? _kinds;
    private readonly HashSet<string>? _folders;
    private readonly HashSet<string>? _items;
    private readonly bool _includeErrors;
    private readonly bool _includeLifecycle;

    public FeedMatcher(FeedScope scope)
    {
        _subscriptions = scope.SubscriptionIds?.ToArray();
        _registrations = scope.Registrations is null ? null : new HashSet<string>(scope.Registrations, StringComparer.OrdinalIgnoreCase);
        _mailboxes = scope.Mailboxes is null ? null : new HashSet<string>(scope.Mailboxes, StringComparer.OrdinalIgnoreCase);
        _kinds = scope.EventKinds is null ? null : [.. scope.EventKinds.Select(FilterOptions.ParseEventKind).OfType<EventKind>()];
        _folders = scope.FolderIds is null ? null : new HashSet<string>(scope.FolderIds, StringComparer.Ordinal);
        _items = scope.ItemIds is null ? null : new HashSet<string>(scope.ItemIds, StringComparer.Ordinal);
        _includeErrors = scope.IncludeErrors;
        _includeLifecycle = scope.IncludeLifecycle;
    }

    private bool SelectsEvents => _kinds is not null || _folders is not null || _items is not null;

    /// <summary>
    /// Whether the feed wants what <paramref name="context"/> carries. <paramref name="kept"/> is null when it takes it
    /// whole, else a mask of the notification's events it takes (at least one).
    /// </summary>
    public bool Matches(NotificationContext context, out FeedEntryKind kind, out bool[]? kept)
    {
        kept = null;
        if (context.Lifecycle is { } lifecycle)
        {
            kind = FeedEntryKind.Lifecycle;
            return _includeLifecycle && MatchesSource(lifecycle.SubscriptionId, context.Push.Registration);
        }

        var message = context.Message!;
        if (message.Notification is not { } notification)
        {
            kind = FeedEntryKind.Error;
            return _includeErrors && MatchesSource(message.SubscriptionId, context.Push.Registration);
        }

        kind = FeedEntryKind.Notification;
        if (!MatchesSource(notification.SubscriptionId, context.Push.Registration))
        {
            return false;
        }

        if (!SelectsEvents)
        {
            return true;
        }

        var events = notification.Events;
        var mask = new bool[events.Count];
        var count = 0;
        for (var i = 0; i < events.Count; i++)
        {
            if (MatchesEvent(events[i]))
            {
                mask[i] = true;
                count++;
            }
        }

        if (count == 0)
        {
            return false;
        }

        kept = count == events.Count ? null : mask;
        return true;
    }

    private bool MatchesSource(string? subscriptionId, RegistrationInfo? registration)
    {
        if (_subscriptions is null && _registrations is null && _mailboxes is null)
        {
            return true;
        }

        if (_subscriptions is not null && subscriptionId is not null)
        {
            foreach (var pattern in _subscriptions)
            {
                if (Wildcard.IsMatch(pattern, subscriptionId))
                {
                    return true;
                }
            }
        }

        return registration is not null
            && ((_registrations?.Contains(registration.Name) ?? false) || (registration.Mailbox is { } mailbox && (_mailboxes?.Contains(mailbox) ?? false)));
    }

    private bool MatchesEvent(NotificationEvent e)
    {
        if (_kinds is not null && !_kinds.Contains(e.Kind))
        {
            return false;
        }

        if (_folders is null && _items is null)
        {
            return true;
        }

        return InFolders(e.ObjectId is { Kind: ObjectIdKind.Folder } folder ? folder.Id : null)
            || InFolders(e.ParentFolderId?.Id)
            || InFolders(e.OldParentFolderId?.Id)
            || InItems(e.ObjectId is { Kind: ObjectIdKind.Item } item ? item.Id : null)
            || InItems(e.OldObjectId is { Kind: ObjectIdKind.Item } oldItem ? oldItem.Id : null);
    }

    private bool InFolders(string? id) => id is not null && _folders is not null && _folders.Contains(id);

    private bool InItems(string? id) => id is not null && _items is not null && _items.Contains(id);
}
