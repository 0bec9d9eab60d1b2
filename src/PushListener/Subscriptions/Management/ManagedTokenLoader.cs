namespace PushListener.Subscriptions.Management;

/// <summary>
/// Before the server takes requests: gives each managed registration in the catalog the token its subscription's URL
/// ends with (generated and stored when configuration names none), so that pushes after a restart are attributed.
/// With a shared store, <c>PostgreSqlCatalogSync</c> loads them again when the leading instance stores new ones.
/// </summary>
internal sealed class ManagedTokenLoader(ManagedRegistrations registrations, IManagedSubscriptionStore store, RegistrationCatalog catalog) : Hosting.IStartupStep
{
    public Hosting.StartupStage Stage => Hosting.StartupStage.ManagedSubscriptions;

    public Task StartAsync(CancellationToken cancellationToken) => LoadAsync(cancellationToken);

    /// <summary>Sets the stored or configured tokens in the catalog (at start-up, and when another instance stored new ones).</summary>
    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        var stored = await store.ListAsync(cancellationToken).ConfigureAwait(false);
        foreach (var registration in registrations.All(stored))
        {
            var state = stored.FirstOrDefault(s => string.Equals(s.Registration, registration.Name, StringComparison.OrdinalIgnoreCase));
            var token = state?.CallbackToken ?? registrations.ConfiguredToken(registration.Name);
            if (token is null)
            {
                // A new registration without a token: the manager's first round makes and stores one.
                continue;
            }

            var known = catalog[registration.Name];
            catalog.Set(new Registration(registration.Name, registration.Mailbox, registration.StatusFrequency, registration.OwnerTag, known?.SubscriptionIds ?? [], CallbackToken.Hash(token), registration.Source));
        }
    }
}
