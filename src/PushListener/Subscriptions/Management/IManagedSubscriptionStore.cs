namespace PushListener.Subscriptions.Management;

/// <summary>
/// The managed subscriptions' role store: per registration, its subscription and keep-alive state. Saving appends the
/// lifecycle events of the step to the entry log in the same transaction, so a step and its events are stored together.
/// </summary>
internal interface IManagedSubscriptionStore
{
    /// <summary>Every managed subscription, by registration name.</summary>
    Task<IReadOnlyList<ManagedSubscription>> ListAsync(CancellationToken cancellationToken);

    /// <summary>One, by registration name (case-insensitive), or null.</summary>
    Task<ManagedSubscription?> GetAsync(string registration, CancellationToken cancellationToken);

    /// <summary>Creates or replaces <paramref name="subscription"/> and appends <paramref name="events"/> (lifecycle entries for the pipeline) in one transaction.</summary>
    Task SaveAsync(ManagedSubscription subscription, IReadOnlyList<LifecycleEvent> events, CancellationToken cancellationToken);

    /// <summary>
    /// Marks a resubscribe as due (<see cref="ManagedSubscriptionState.Renewing"/>), only while <paramref name="subscriptionId"/>
    /// is still the registration's subscription (null: whatever it is) and the registration is not stopped unless
    /// <paramref name="evenIfStopped"/>. False when nothing changed.
    /// </summary>
    Task<bool> RequestRenewAsync(string registration, string? subscriptionId, string reason, string? watermark, bool evenIfStopped, CancellationToken cancellationToken);

    /// <summary>Deletes one; false when there was none.</summary>
    Task<bool> DeleteAsync(string registration, CancellationToken cancellationToken);
}
