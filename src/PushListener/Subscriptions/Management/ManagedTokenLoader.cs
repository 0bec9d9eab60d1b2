namespace PushListener.Subscriptions.Management;

/// <summary>
/// Before the server takes requests: gives each managed registration in the catalog the token its subscription's URL
/// ends with (generated and stored when configuration names none), so that pushes after a restart are attributed.
/// </summary>
internal sealed class ManagedTokenLoader(ManagedRegistrations registrations, IManagedSubscriptionStore store, RegistrationCatalog catalog) : Hosting.IStartupStep
{
    public Hosting.StartupStage Stage => Hosting.StartupStage.ManagedSubscriptions;

    public async Task StartAsync(CancellationToken cancellationToken)
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
