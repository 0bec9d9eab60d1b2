using PushListener.Inbox;

namespace PushListener.Telemetry;

/// <summary>One reading of the inbox's depth, the subscriptions by state and the feeds' backlogs.</summary>
internal sealed record InboxSnapshot(
    DateTimeOffset SampledAt,
    EntryLogStats Stats,
    IReadOnlyDictionary<string, long> SubscriptionsByState,
    IReadOnlyDictionary<string, long> FeedBacklog);
