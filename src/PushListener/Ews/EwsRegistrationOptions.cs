namespace PushListener.Ews;

/// <summary>
/// <c>PushListener:Subscriptions:Registrations:{name}:Ews</c>: where and how PushListener creates the registration's
/// subscription itself. A registration with this section is managed: PushListener subscribes, watches and renews it.
/// </summary>
public sealed class EwsRegistrationOptions
{
    /// <summary>The default folders: <c>["inbox"]</c>.</summary>
    public static readonly IReadOnlyList<string> DefaultFolders = ["inbox"];

    /// <summary>The default event types: NewMail, Created, Deleted, Modified, Moved, Copied.</summary>
    public static readonly IReadOnlyList<string> DefaultEventTypes = ["NewMail", "Created", "Deleted", "Modified", "Moved", "Copied"];

    private static readonly string[] KnownEventTypes = ["Copied", "Created", "Deleted", "Modified", "Moved", "NewMail", "FreeBusyChanged"];

    /// <summary>The server's EWS endpoint, for example <c>https://outlook.office365.com/EWS/Exchange.asmx</c>. Required.</summary>
    public string? Url { get; set; }

    /// <summary>Distinguished folder ids (<c>inbox</c>, <c>calendar</c>, ...). Default <see cref="DefaultFolders"/>.</summary>
    public List<string>? Folders { get; set; }

    /// <summary>Subscribe to every folder (<c>SubscribeToAllFolders</c>); <see cref="Folders"/> is then ignored. Default <see langword="false"/>.</summary>
    public bool AllFolders { get; set; }

    /// <summary>Event types (<c>NewMail</c> or <c>NewMailEvent</c>, ...). Default <see cref="DefaultEventTypes"/>.</summary>
    public List<string>? EventTypes { get; set; }

    /// <summary>The name of a credential under <c>PushListener:Subscriptions:Credentials</c>. Required.</summary>
    public string? Credential { get; set; }

    /// <summary>The <c>RequestServerVersion</c> sent. Default <c>Exchange2013_SP1</c>.</summary>
    public string ServerVersion { get; set; } = EwsNames.DefaultServerVersion;

    /// <summary>The folders to subscribe to, defaults applied.</summary>
    public IReadOnlyList<string> EffectiveFolders => Folders is { Count: > 0 } ? Folders : DefaultFolders;

    /// <summary>The EWS event type names (<c>NewMailEvent</c>, ...), defaults applied.</summary>
    public IReadOnlyList<string> EffectiveEventTypes => [.. (EventTypes is { Count: > 0 } ? EventTypes : DefaultEventTypes).Select(ToEwsName).Distinct(StringComparer.Ordinal)];

    /// <summary>Errors, each naming the setting under <paramref name="path"/> (credential names are checked by the caller).</summary>
    public IEnumerable<string> Validate(string path)
    {
        // Credentials go with every request: plain http only to this machine (a test server such as the simulator's).
        if (!Uri.TryCreate(Url, UriKind.Absolute, out var url) || !(url.Scheme == Uri.UriSchemeHttps || (url.Scheme == Uri.UriSchemeHttp && url.IsLoopback)))
        {
            yield return $"{path}:Url must be an absolute https URL of the server's EWS endpoint, such as https://outlook.office365.com/EWS/Exchange.asmx; http only to a loopback address (got '{Url}').";
        }

        if (string.IsNullOrWhiteSpace(Credential))
        {
            yield return $"{path}:Credential is required (the name of a credential under PushListener:Subscriptions:Credentials).";
        }

        foreach (var type in EventTypes ?? [])
        {
            if (!KnownEventTypes.Contains(FromEwsName(type), StringComparer.OrdinalIgnoreCase))
            {
                yield return $"{path}:EventTypes: '{type}' is not an event type ({string.Join(", ", KnownEventTypes)}).";
            }
        }

        foreach (var folder in Folders ?? [])
        {
            if (string.IsNullOrWhiteSpace(folder) || !folder.All(char.IsAsciiLetterLower))
            {
                yield return $"{path}:Folders: '{folder}' is not a distinguished folder id (lower-case, such as inbox or calendar).";
            }
        }

        if (string.IsNullOrWhiteSpace(ServerVersion) || !ServerVersion.StartsWith("Exchange20", StringComparison.Ordinal))
        {
            yield return $"{path}:ServerVersion must be an EWS version such as Exchange2013_SP1 (got '{ServerVersion}').";
        }
    }

    private static string FromEwsName(string type) => type.EndsWith("Event", StringComparison.OrdinalIgnoreCase) ? type[..^5] : type;

    private static string ToEwsName(string type)
    {
        var bare = FromEwsName(type);
        var known = KnownEventTypes.FirstOrDefault(k => string.Equals(k, bare, StringComparison.OrdinalIgnoreCase)) ?? bare;
        return known + "Event";
    }
}
