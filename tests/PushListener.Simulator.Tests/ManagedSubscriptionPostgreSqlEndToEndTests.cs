using PushListener.Simulator.Exchange;
using PushListener.Simulator.Tests.Infrastructure;
using PushListener.Subscriptions;
using PushListener.Subscriptions.Management;

namespace PushListener.Simulator.Tests;

/// <summary>
/// The subscription manager with the PostgreSQL provider, against the fake Exchange: its state and lifecycle events are
/// in the shared database, it runs as the leader of its job, and a restarted listener goes on from what is stored there.
/// </summary>
public sealed class ManagedSubscriptionPostgreSqlEndToEndTests
{
    private static Task<ManagedSubscriptionRig> StartAsync(PostgreSqlTestDatabase database) =>
        ManagedSubscriptionRig.StartAsync(_ => new Dictionary<string, string?>
        {
            ["PushListener:Storage:Provider"] = "PostgreSql",
            ["ConnectionStrings:PushListener"] = database.ConnectionString,
        });

    private static async Task<FakeSubscription> SubscribedAsync(ManagedSubscriptionRig rig, int count = 1)
    {
        await Eventually.TrueAsync(() => rig.Fake.Subscriptions.Count == count, $"subscription {count} is created", TimeSpan.FromSeconds(15));
        var subscription = rig.Fake.Subscriptions.Last();
        await Eventually.TrueAsync(() => rig.Recorder.Notifications.Any(n => n.SubscriptionId == subscription.Id), "its first push is stored and dispatched", TimeSpan.FromSeconds(15));
        return subscription;
    }

    private static async Task<LifecycleEvent> WaitForAsync(ManagedSubscriptionRig rig, LifecycleKind kind)
    {
        await Eventually.TrueAsync(() => rig.Recorder.Of(kind).Count > 0, kind + " event", TimeSpan.FromSeconds(15));
        return rig.Recorder.Of(kind)[0];
    }

    [Fact]
    public async Task Subscribe_OnPostgreSql_StateAndEventsAreInTheSharedDatabase()
    {
        await using var database = await PostgreSqlTestDatabase.CreateAsync();
        await using var rig = await StartAsync(database);

        var subscription = await SubscribedAsync(rig);

        var subscribed = await WaitForAsync(rig, LifecycleKind.Subscribed);
        Assert.Equal((subscription.Id, "alice", "initial"), (subscribed.SubscriptionId, subscribed.Registration, subscribed.Reason));
        rig.Fake.Mailbox("alice@contoso.com").AddActivity(2);
        await Eventually.TrueAsync(() => rig.Recorder.Notifications.Any(n => n.SubscriptionId == subscription.Id && n.Events > 0 && !n.Heartbeat), "the events are dispatched", TimeSpan.FromSeconds(15));
        Assert.All(rig.Recorder.Notifications, n => Assert.Equal("alice", n.Registration));

        Assert.Equal(subscription.Id, await database.ScalarAsync("SELECT subscription_id FROM managed_subscriptions WHERE registration_key = 'alice'"));
        Assert.Equal((short)ManagedSubscriptionState.Active, await database.ScalarAsync("SELECT state FROM managed_subscriptions WHERE registration_key = 'alice'"));
        // The Subscribed event went through the shared entry log (written with the manager's step).
        Assert.Equal(1L, await database.ScalarAsync("SELECT count(*) FROM entries WHERE registration = 'alice' AND lifecycle IS NOT NULL"));
        var view = Assert.Single(await rig.ListAsync());
        Assert.Equal((ManagedSubscriptionState.Active, subscription.Id), (view.State, view.SubscriptionId));
    }

    [Fact]
    public async Task Restart_OnPostgreSql_RenewsWhatWentStaleWithTheStoredToken()
    {
        await using var database = await PostgreSqlTestDatabase.CreateAsync();
        await using var rig = await StartAsync(database);
        var first = await SubscribedAsync(rig);

        await rig.StopListenerAsync();
        // The last watermark the listener stored (Exchange's heartbeats may have moved it on until the stop).
        var lastTaken = (string?)await database.ScalarAsync($"SELECT last_watermark FROM subscriptions WHERE subscription_id = '{first.Id}'");
        Assert.NotNull(lastTaken);
        first.Drop(); // Exchange gave up on it while the listener was down
        rig.StartListener(ManagedSubscriptionRig.Start + TimeSpan.FromMinutes(5));

        var second = await SubscribedAsync(rig, count: 2);
        Assert.Equal(lastTaken, rig.Fake.Calls[1].Watermark);
        var resubscribed = await WaitForAsync(rig, LifecycleKind.Resubscribed);
        Assert.Equal(("stale", first.Id, second.Id), (resubscribed.Reason, resubscribed.PreviousSubscriptionId, resubscribed.SubscriptionId));
        // The same callback URL as before: the token stored in the shared database, not a new one.
        Assert.Equal(rig.Fake.Calls[0].Url, rig.Fake.Calls[1].Url);
        Assert.Equal(2, await database.ScalarAsync("SELECT generation FROM managed_subscriptions WHERE registration_key = 'alice'"));
    }

    [Fact]
    public async Task ErrorPush_OnPostgreSql_LeadsToAResubscribeAtTheNextCheck()
    {
        await using var database = await PostgreSqlTestDatabase.CreateAsync();
        await using var rig = await StartAsync(database);
        var first = await SubscribedAsync(rig);

        first.RequestErrorPush();
        await Eventually.TrueAsync(() => rig.Recorder.Notifications.Any(n => n.SubscriptionId == first.Id && n.Error), "the error push is stored", TimeSpan.FromSeconds(15));

        // The manager's own loop, as the leader of its job: its check interval (10 s) passes on the listener's clock.
        rig.Clock.Advance(TimeSpan.FromSeconds(10));
        var second = await SubscribedAsync(rig, count: 2);
        Assert.NotEqual(first.Id, second.Id);
        await Eventually.TrueAsync(() => rig.Recorder.Of(LifecycleKind.Resubscribed).Count == 1, "the resubscribed event");
        Assert.Equal("failed", rig.Recorder.Of(LifecycleKind.Resubscribed)[0].Reason);
        Assert.Equal(first.LastWatermark, rig.Fake.Calls[1].Watermark);
    }
}
