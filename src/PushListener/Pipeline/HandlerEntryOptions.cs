namespace PushListener.Pipeline;

/// <summary>One <c>PushListener:Handlers:{name}</c> entry.</summary>
public sealed class HandlerEntryOptions
{
    /// <summary>The handler type: <c>Log</c>, <c>Webhook</c>, <c>UnsubscribeRule</c>. Required.</summary>
    public string? Type { get; set; }

    /// <summary>Place in the pipeline; lower runs first. Default 0.</summary>
    public int Order { get; set; }

    /// <summary>Set to <see langword="false"/> to keep the entry without running it. Default <see langword="true"/>.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Per-call timeout. Default 30 seconds.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Which notifications the handler gets. Default: all.</summary>
    public FilterOptions? Filter { get; set; }

    // Settings is read as a configuration section by the handler type, not bound here.
}

/// <summary>The <c>Filter</c> of a handler entry.</summary>
public sealed class FilterOptions
{
    /// <summary>Subscription ids or <c>*</c> patterns.</summary>
    public List<string>? SubscriptionIds { get; set; }

    /// <summary>Event kinds: <c>NewMail</c> or <c>NewMailEvent</c>, <c>Created</c>, <c>Deleted</c>, <c>Modified</c>, <c>Moved</c>, <c>Copied</c>, <c>Status</c>, <c>FreeBusyChanged</c>.</summary>
    public List<string>? EventKinds { get; set; }

    /// <summary>Folder ids (the EWS <c>FolderId/@Id</c> values).</summary>
    public List<string>? FolderIds { get; set; }

    /// <summary>Deliver error pushes. Default <see langword="true"/>.</summary>
    public bool IncludeErrors { get; set; } = true;

    /// <summary>Deliver lifecycle events (gap, silent, failed, resumed); unset leaves it to the handler type. Default unset.</summary>
    public bool? IncludeLifecycle { get; set; }

    /// <summary>Parses an event kind name as configuration spells it; null when unknown.</summary>
    public static EventKind? ParseEventKind(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return null;
        }

        var trimmed = name.Trim();
        if (trimmed.EndsWith("Event", StringComparison.OrdinalIgnoreCase))
        {
            trimmed = trimmed[..^"Event".Length];
        }

        return Enum.TryParse<EventKind>(trimmed, ignoreCase: true, out var kind) && Enum.IsDefined(kind) ? kind : null;
    }

    /// <summary>The filter these options describe (unknown event kinds are left to validation to report).</summary>
    public NotificationFilter ToFilter() => new()
    {
        SubscriptionIds = SubscriptionIds?.ToArray(),
        EventKinds = EventKinds?.Select(ParseEventKind).OfType<EventKind>().ToArray(),
        FolderIds = FolderIds?.ToArray(),
        IncludeErrors = IncludeErrors,
        IncludeLifecycle = IncludeLifecycle,
    };

    /// <summary>Errors, each naming the setting under <paramref name="path"/>.</summary>
    public IEnumerable<string> Validate(string path)
    {
        for (var i = 0; i < (EventKinds?.Count ?? 0); i++)
        {
            if (ParseEventKind(EventKinds![i]) is null)
            {
                yield return $"{path}:EventKinds:{i} '{EventKinds[i]}' is not an event kind ({string.Join(", ", Enum.GetNames<EventKind>())}).";
            }
        }

        for (var i = 0; i < (SubscriptionIds?.Count ?? 0); i++)
        {
            if (string.IsNullOrWhiteSpace(SubscriptionIds![i]))
            {
                yield return $"{path}:SubscriptionIds:{i} is empty.";
            }
        }
    }
}
