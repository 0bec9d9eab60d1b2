using Microsoft.Extensions.DependencyInjection;
using PushListener.Inbox;
using PushListener.Subscriptions;
using PushListener.Subscriptions.Management;

namespace PushListener.Tests.Storage;

/// <summary>The managed subscriptions' contract (<see cref="IManagedSubscriptionStore"/>).</summary>
public abstract class ManagedSubscriptionStoreContract : StoreContract
{
    private IManagedSubscriptionStore Store => Storage.Services.GetRequiredService<IManagedSubscriptionStore>();

    private ManagedSubscription Sample(string name = "alice") => new()
    {
        Registration = name,
        State = ManagedSubscriptionState.Active,
        SubscriptionId = Sub(1),
        Watermark = "AQAAAEbmwqYWnOZCugPsEqvYWwYAAAAAABo/WQAAAAA=",
        WatermarkAt = Time.GetUtcNow(),
        SubscribedAt = Time.GetUtcNow() - TimeSpan.FromMinutes(1),
        LastError = "ErrorServerBusy: busy",
        LastErrorAt = Time.GetUtcNow() - TimeSpan.FromMinutes(2),
        FailedAttempts = 2,
        NextAttemptAt = null,
        RenewReason = null,
        RenewWatermark = null,
        CallbackToken = new string('k', 43),
        Definition = new ManagedRegistration(name, name + "@contoso.com", 5, "crm", new ManagedEwsSettings(new Uri("https://ex.contoso.com/EWS/Exchange.asmx"), ["inbox", "calendar"], false, ["NewMailEvent"], "svc", "Exchange2013_SP1"), "api"),
        Generation = 3,
        GapsSeen = 1,
        LastPushAt = Time.GetUtcNow(),
    };

    [Fact]
    public async Task Save_ThenGet_ReturnsItAsStored()
    {
        var saved = Sample();

        await Store.SaveAsync(saved, [], CancellationToken.None);

        var read = await Store.GetAsync("ALICE", CancellationToken.None);
        Assert.NotNull(read);
        Assert.Equal(saved with { Definition = null }, read with { Definition = null });
        Assert.Equal(saved.Definition!.Ews.Folders, read.Definition!.Ews.Folders);
        Assert.Equal(saved.Definition with { Ews = null! }, read.Definition with { Ews = null! });
        Assert.Equal(saved.Definition.Ews.Url, read.Definition.Ews.Url);
    }

    [Fact]
    public async Task Save_Again_ReplacesAndListsOnce()
    {
        await Store.SaveAsync(Sample(), [], CancellationToken.None);
        await Store.SaveAsync(Sample() with { State = ManagedSubscriptionState.Stopped, Definition = null }, [], CancellationToken.None);
        await Store.SaveAsync(Sample("bob"), [], CancellationToken.None);

        var all = await Store.ListAsync(CancellationToken.None);

        Assert.Equal(["alice", "bob"], all.Select(s => s.Registration));
        Assert.Equal((ManagedSubscriptionState.Stopped, (ManagedRegistration?)null), (all[0].State, all[0].Definition));
    }

    [Fact]
    public async Task Save_WithEvents_AppendsThemAsLifecycleEntriesOfTheRegistration()
    {
        var resubscribed = new LifecycleEvent(LifecycleKind.Resubscribed, Sub(2), Time.GetUtcNow()) { Registration = "alice", PreviousSubscriptionId = Sub(1), Reason = "silent" };

        await Store.SaveAsync(Sample() with { SubscriptionId = Sub(2) }, [resubscribed], CancellationToken.None);

        var entry = Assert.Single(await ClaimAsync("a"));
        Assert.Equal((EntryKind.Lifecycle, Sub(2), "alice"), (entry.Kind, entry.SubscriptionId, entry.Registration));
        var stored = LifecycleSerializer.Deserialize(entry.Body.ToArray());
        Assert.Equal((LifecycleKind.Resubscribed, Sub(1), "silent"), (stored.Kind, stored.PreviousSubscriptionId, stored.Reason));
    }

    [Fact]
    public async Task RequestRenew_OnlyWhileTheSubscriptionIsStillCurrent()
    {
        await Store.SaveAsync(Sample(), [], CancellationToken.None);

        Assert.False(await Store.RequestRenewAsync("alice", Sub(9), "failed", null, evenIfStopped: false, CancellationToken.None));
        Assert.True(await Store.RequestRenewAsync("alice", Sub(1), "gap", "W0", evenIfStopped: false, CancellationToken.None));

        var read = (await Store.GetAsync("alice", CancellationToken.None))!;
        Assert.Equal((ManagedSubscriptionState.Renewing, "gap", "W0"), (read.State, read.RenewReason, read.RenewWatermark));
    }

    [Fact]
    public async Task RequestRenew_StoppedOnlyWhenAsked()
    {
        await Store.SaveAsync(Sample() with { State = ManagedSubscriptionState.Stopped }, [], CancellationToken.None);

        Assert.False(await Store.RequestRenewAsync("alice", null, "forced", null, evenIfStopped: false, CancellationToken.None));
        Assert.True(await Store.RequestRenewAsync("alice", null, "forced", null, evenIfStopped: true, CancellationToken.None));
        Assert.False(await Store.RequestRenewAsync("nobody", null, "forced", null, evenIfStopped: true, CancellationToken.None));
    }

    [Fact]
    public async Task Delete_RemovesItOnce()
    {
        await Store.SaveAsync(Sample(), [], CancellationToken.None);

        Assert.True(await Store.DeleteAsync("Alice", CancellationToken.None));
        Assert.False(await Store.DeleteAsync("alice", CancellationToken.None));
        Assert.Null(await Store.GetAsync("alice", CancellationToken.None));
    }
}
