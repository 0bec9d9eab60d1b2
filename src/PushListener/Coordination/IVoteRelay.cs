namespace PushListener.Coordination;

/// <summary>
/// Carries handler votes between instances that share a store: the request a push came in on may wait on one instance
/// while another instance's dispatcher runs the entry. With one process there is none (SQLite registers no relay).
/// </summary>
internal interface IVoteRelay
{
    /// <summary>
    /// Sends the vote on <paramref name="dedupeKey"/> (an entry of <paramref name="subscriptionId"/>) to the other
    /// instances. Never blocks, never throws.
    /// </summary>
    void Publish(string dedupeKey, string? subscriptionId, SubscriptionStatus vote);

    /// <summary>Calls <paramref name="receive"/> with each vote published: the dedupe key, the subscription id and the vote.</summary>
    void Subscribe(Action<string, string?, SubscriptionStatus> receive);
}
