namespace PushListener.Subscriptions;

/// <summary>Registrations made through the admin API, and which registration each subscription came in through.</summary>
internal interface IRegistrationStore
{
    /// <summary>All stored registrations, by name.</summary>
    Task<IReadOnlyList<Registration>> ListAsync(CancellationToken cancellationToken);

    /// <summary>Creates or replaces a registration (names are case-insensitive).</summary>
    Task UpsertAsync(Registration registration, CancellationToken cancellationToken);

    /// <summary>Deletes a registration; false when there was none.</summary>
    Task<bool> DeleteAsync(string name, CancellationToken cancellationToken);

    /// <summary>Which registration each subscription came in through (subscription id to registration name), as the registry recorded it.</summary>
    Task<IReadOnlyDictionary<string, string>> ListLinksAsync(CancellationToken cancellationToken);
}
