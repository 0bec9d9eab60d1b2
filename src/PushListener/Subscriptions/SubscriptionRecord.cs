namespace PushListener.Subscriptions;

/// <summary>A subscription as the registry knows it: what the admin API shows.</summary>
public sealed record SubscriptionRecord(
    string SubscriptionId,
    SubscriptionState State,
    string? Registration,
    DateTimeOffset FirstSeen,
    DateTimeOffset LastSeen,
    string? LastWatermark,
    string? LastPreviousWatermark,
    string? RequestServerVersion,
    long? ExpectedIntervalSeconds,
    string? ExpectedIntervalSource,
    long Notifications,
    long Gaps,
    IReadOnlyDictionary<string, long> EventCounts,
    string? LastError,
    DateTimeOffset? LastErrorAt);
