using PushListener.Subscriptions;

namespace PushListener.Tests.Storage;

/// <summary>The registrations' contract (<see cref="IRegistrationStore"/>).</summary>
public abstract class RegistrationStoreContract : StoreContract
{
    [Fact]
    public async Task Upsert_ThenList_ReturnsTheRegistrationAsStored()
    {
        var registration = new Registration("Sales", "sales@contoso.com", 15, "team-a", [Sub(1), Sub(2)], new string('a', 64), "api");

        await Storage.Registrations.UpsertAsync(registration, CancellationToken.None);

        var stored = Assert.Single(await Storage.Registrations.ListAsync(CancellationToken.None));
        Assert.Equal((registration.Name, registration.Mailbox, registration.StatusFrequency, registration.OwnerTag, registration.TokenHash), (stored.Name, stored.Mailbox, stored.StatusFrequency, stored.OwnerTag, stored.TokenHash));
        Assert.Equal(registration.SubscriptionIds, stored.SubscriptionIds);
    }

    [Fact]
    public async Task Upsert_SameNameInAnotherCase_ReplacesIt()
    {
        await Storage.Registrations.UpsertAsync(new Registration("Sales", "a@contoso.com", null, null, [], null, "api"), CancellationToken.None);
        await Storage.Registrations.UpsertAsync(new Registration("SALES", "b@contoso.com", null, null, [], null, "api"), CancellationToken.None);

        var stored = Assert.Single(await Storage.Registrations.ListAsync(CancellationToken.None));
        Assert.Equal("b@contoso.com", stored.Mailbox);
    }

    [Fact]
    public async Task Delete_RemovesItOnce()
    {
        await Storage.Registrations.UpsertAsync(new Registration("Sales", null, null, null, [], null, "api"), CancellationToken.None);

        Assert.True(await Storage.Registrations.DeleteAsync("sales", CancellationToken.None));
        Assert.False(await Storage.Registrations.DeleteAsync("sales", CancellationToken.None));
        Assert.Empty(await Storage.Registrations.ListAsync(CancellationToken.None));
    }

    [Fact]
    public async Task ListLinks_NamesTheRegistrationEachSubscriptionCameThrough()
    {
        await AppendOneAsync(Message(Sub(1), 1, registration: "Sales"));
        await AppendOneAsync(Message(Sub(2), 1));

        var links = await Storage.Registrations.ListLinksAsync(CancellationToken.None);

        Assert.Equal("Sales", Assert.Single(links, l => l.Key == Sub(1)).Value);
        Assert.DoesNotContain(Sub(2), links.Keys);
    }
}
