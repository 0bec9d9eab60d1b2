namespace PushListener.Subscriptions.Management;

/// <summary>A managed registration as the admin API and the command line show it: never its token, never a credential's secret.</summary>
public sealed record ManagedSubscriptionView(
    string Registration,
    string Source,
    string Mailbox,
    int StatusFrequency,
    string? OwnerTag,
    ManagedSubscriptionState State,
    string? SubscriptionId,
    DateTimeOffset? SubscribedAt,
    DateTimeOffset? LastPushAt,
    string? Watermark,
    string? LastError,
    DateTimeOffset? LastErrorAt,
    int FailedAttempts,
    DateTimeOffset? NextAttemptAt,
    int Subscriptions,
    ManagedEwsView Ews);

/// <summary>Where and how the registration subscribes; <see cref="Credential"/> is the credential's name only.</summary>
public sealed record ManagedEwsView(string Url, IReadOnlyList<string> Folders, bool AllFolders, IReadOnlyList<string> EventTypes, string Credential, string ServerVersion);
