namespace PushListener.Subscriptions;

/// <summary>
/// The subscription registry: each subscription's state, watermarks and counts. Pushes update it inside the entry log's
/// append transaction (<see cref="Inbox.IEntryLog.AppendAsync"/>); the decisions come from <see cref="SubscriptionRules"/>.
/// </summary>
internal interface ISubscriptionRegistry
{
    /// <summary>Subscriptions, optionally in one state, most recently seen first.</summary>
    Task<IReadOnlyList<SubscriptionRecord>> ListAsync(SubscriptionState? state, int max, CancellationToken cancellationToken);

    /// <summary>
    /// How many subscriptions are in each state, every state present (zero when none): one aggregate query, for the
    /// <c>pushlistener.subscriptions</c> gauge, which must not read every row to count them.
    /// </summary>
    Task<IReadOnlyDictionary<SubscriptionState, long>> CountByStateAsync(CancellationToken cancellationToken);

    /// <summary>One subscription, or null.</summary>
    Task<SubscriptionRecord?> GetAsync(string subscriptionId, CancellationToken cancellationToken);

    /// <summary>Marks a known subscription for unsubscribe: its next push is answered Unsubscribe. False when unknown.</summary>
    Task<bool> MarkUnsubscribeAsync(string subscriptionId, CancellationToken cancellationToken);

    /// <summary>Records a subscription refused by the unknown-subscription policy (answered Unsubscribe, nothing stored).</summary>
    Task RecordRefusedAsync(string subscriptionId, string? requestServerVersion, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>
    /// Applies <see cref="SubscriptionRules.OnSilenceCheck"/> to every active subscription: those silent past twice their
    /// expected interval become silent, each with a lifecycle entry in the entry log (same transaction). Returns the events.
    /// </summary>
    Task<IReadOnlyList<LifecycleEvent>> DetectSilentAsync(DateTimeOffset now, CancellationToken cancellationToken);
}
