using PushListener.Ews;

namespace PushListener.Subscriptions.Management;

/// <summary>A registration whose subscription PushListener manages: who, where, and how.</summary>
/// <param name="Name">The registration's name.</param>
/// <param name="Mailbox">The mailbox's SMTP address.</param>
/// <param name="StatusFrequency">Minutes between heartbeats (1 to 1440).</param>
/// <param name="OwnerTag">The registration's owner tag.</param>
/// <param name="Ews">Where and how to subscribe.</param>
/// <param name="Source"><c>configuration</c> or <c>api</c>.</param>
internal sealed record ManagedRegistration(string Name, string Mailbox, int StatusFrequency, string? OwnerTag, ManagedEwsSettings Ews, string Source)
{
    [System.Text.Json.Serialization.JsonIgnore]
    public TimeSpan Interval => TimeSpan.FromMinutes(StatusFrequency);
}

/// <summary>The <c>Ews</c> section of a managed registration, with defaults applied.</summary>
internal sealed record ManagedEwsSettings(Uri Url, IReadOnlyList<string> Folders, bool AllFolders, IReadOnlyList<string> EventTypes, string Credential, string ServerVersion)
{
    public static ManagedEwsSettings From(EwsRegistrationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new ManagedEwsSettings(new Uri(options.Url!), options.EffectiveFolders, options.AllFolders, options.EffectiveEventTypes, options.Credential!, options.ServerVersion);
    }
}
