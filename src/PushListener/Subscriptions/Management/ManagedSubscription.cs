
namespace PushListener.Subscriptions.Management;

/// <summary>
/// What the manager keeps about one managed registration: its current subscription, the last watermark it knows, and
/// where its keep-alive stands. <see cref="CallbackToken"/> is a secret (it is the URL Exchange pushes to) and never
/// leaves the store except in the Subscribe request itself.
/// </summary>
internal sealed record ManagedSubscription
{
    /// <summary>The registration's name.</summary>
    public required string Registration { get; init; }

    public ManagedSubscriptionState State { get; init; }

    /// <summary>The subscription Exchange gave last; null before the first.</summary>
    public string? SubscriptionId { get; init; }

    /// <summary>The newest watermark known when the manager last looked (from Subscribe, or the registry's last push).</summary>
    public string? Watermark { get; init; }

    /// <summary>When <see cref="Watermark"/> was current: watermarks older than about 30 days are refused.</summary>
    public DateTimeOffset? WatermarkAt { get; init; }

    /// <summary>When <see cref="SubscriptionId"/> was created.</summary>
    public DateTimeOffset? SubscribedAt { get; init; }

    /// <summary>The last failure: EWS code and text.</summary>
    public string? LastError { get; init; }

    public DateTimeOffset? LastErrorAt { get; init; }

    /// <summary>Failed attempts in a row (the back-off doubles with each).</summary>
    public int FailedAttempts { get; init; }

    /// <summary>When <see cref="ManagedSubscriptionState.BackingOff"/> ends.</summary>
    public DateTimeOffset? NextAttemptAt { get; init; }

    /// <summary>Why a resubscribe is due (<see cref="ManagedSubscriptionState.Renewing"/>): <c>failed</c>, <c>gap</c>, <c>forced</c>, ...</summary>
    public string? RenewReason { get; init; }

    /// <summary>For a gap: the last watermark stored before it, where the new subscription resumes.</summary>
    public string? RenewWatermark { get; init; }

    /// <summary>The callback token Exchange's URL ends with. Secret.</summary>
    public required string CallbackToken { get; init; }

    /// <summary>For registrations added through the admin API: the registration itself (configuration ones are read from configuration).</summary>
    public ManagedRegistration? Definition { get; init; }

    /// <summary>How many subscriptions this registration has had (1 after the first Subscribe).</summary>
    public int Generation { get; init; }

    /// <summary>The registry's gap count of <see cref="SubscriptionId"/> when the manager last looked: a higher one means a gap since.</summary>
    public long GapsSeen { get; init; }

    /// <summary>When the current subscription was last heard from, as the manager last saw it (for the admin API).</summary>
    public DateTimeOffset? LastPushAt { get; init; }
}
