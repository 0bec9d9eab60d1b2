using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using PushListener.Simulator.Exchange;
using PushListener.Simulator.Tests.Infrastructure;
using PushListener.Subscriptions;
using PushListener.Subscriptions.Management;

namespace PushListener.Simulator.Tests;

/// <summary>PushListener creates, watches and renews a subscription against the simulator's fake Exchange.</summary>
public sealed class ManagedSubscriptionEndToEndTests
{
    private static readonly string[] BogusEventTypes = ["Bogus"];

    private static async Task<FakeSubscription> SubscribedAsync(ManagedSubscriptionRig rig, int count = 1)
    {
        await Eventually.TrueAsync(() => rig.Fake.Subscriptions.Count == count, $"subscription {count} is created", TimeSpan.FromSeconds(15));
        var subscription = rig.Fake.Subscriptions.Last();
        await Eventually.TrueAsync(() => rig.Recorder.Notifications.Any(n => n.SubscriptionId == subscription.Id), "its first push is stored and dispatched", TimeSpan.FromSeconds(15));
        return subscription;
    }

    private static async Task<IReadOnlyList<(string? SubscriptionId, string? Registration, bool Heartbeat, bool Error, int Events)>> EventsOfAsync(ManagedSubscriptionRig rig, string subscriptionId, int atLeast = 1)
    {
        await Eventually.TrueAsync(() => rig.Recorder.Notifications.Count(n => n.SubscriptionId == subscriptionId && n.Events > 0 && !n.Heartbeat) >= atLeast, "events of " + subscriptionId, TimeSpan.FromSeconds(15));
        return [.. rig.Recorder.Notifications.Where(n => n.SubscriptionId == subscriptionId && n.Events > 0 && !n.Heartbeat)];
    }

    [Fact]
    public async Task Subscribe_AtStartUp_PushesArriveAttributedToTheRegistration()
    {
        await using var rig = await ManagedSubscriptionRig.StartAsync();

        var subscription = await SubscribedAsync(rig);

        var call = Assert.Single(rig.Fake.Calls);
        Assert.Equal(("alice@contoso.com", "alice@contoso.com", "true", "Basic", true, null as string, 1), (call.Mailbox, call.AnchorMailbox, call.PreferServerAffinity, call.AuthenticationScheme, call.Impersonated, call.Watermark, call.StatusFrequency));
        Assert.Equal(["inbox"], call.Folders);
        Assert.Equal(6, call.EventTypes.Count);
        Assert.StartsWith("http://localhost/ews/notifications/", call.Url.AbsoluteUri, StringComparison.Ordinal);
        Assert.All(rig.Recorder.Notifications, n => Assert.Equal("alice", n.Registration));
        var subscribed = Assert.Single(rig.Recorder.Lifecycle, e => e.Kind == LifecycleKind.Subscribed);
        Assert.Equal((subscription.Id, "alice", "initial"), (subscribed.SubscriptionId, subscribed.Registration, subscribed.Reason));

        rig.Fake.Mailbox("alice@contoso.com").AddActivity(2);
        var events = await EventsOfAsync(rig, subscription.Id);
        Assert.All(events, n => Assert.Equal("alice", n.Registration));

        var view = Assert.Single(await rig.ListAsync());
        Assert.Equal(("alice", ManagedSubscriptionState.Active, subscription.Id, "configuration"), (view.Registration, view.State, view.SubscriptionId, view.Source));
        Assert.Equal(ManagedSubscriptionRig.Start, view.LastPushAt);
    }

    [Fact]
    public async Task DroppedSilently_IsRenewedFromTheLastWatermarkAfterTwiceStatusFrequency()
    {
        await using var rig = await ManagedSubscriptionRig.StartAsync();
        var first = await SubscribedAsync(rig);
        var mailbox = rig.Fake.Mailbox("alice@contoso.com");
        mailbox.AddActivity(1);
        await EventsOfAsync(rig, first.Id);
        // What the listener stored with the events (the fake Exchange moves its own LastWatermark only once it has read
        // the answer, which may come after the events were dispatched).
        var lastTaken = (await rig.Listener.Services.GetRequiredService<ISubscriptionRegistry>().GetAsync(first.Id, CancellationToken.None))?.LastWatermark;
        Assert.NotNull(lastTaken);

        first.Drop();
        mailbox.AddActivity(2); // happens while nobody pushes: must not be missed

        await rig.AdvanceAndCheckAsync(TimeSpan.FromMinutes(2));
        Assert.Single(rig.Fake.Calls); // twice StatusFrequency (1 minute) has not passed yet

        await rig.AdvanceAndCheckAsync(TimeSpan.FromSeconds(1));
        var second = await SubscribedAsync(rig, count: 2);
        Assert.Equal(lastTaken, rig.Fake.Calls[1].Watermark);
        Assert.Equal(lastTaken, second.StartWatermark);
        // Affinity: the first answer's X-BackEndOverrideCookie goes back with the next request for the mailbox.
        Assert.Null(rig.Fake.Calls[0].BackEndOverrideCookie);
        Assert.NotNull(rig.Fake.Calls[1].BackEndOverrideCookie);
        Assert.Equal(("alice@contoso.com", "true"), (rig.Fake.Calls[1].AnchorMailbox, rig.Fake.Calls[1].PreferServerAffinity));
        // The events of the silence are replayed by the new subscription, attributed to the registration.
        var replayed = await EventsOfAsync(rig, second.Id);
        Assert.All(replayed, n => Assert.Equal("alice", n.Registration));
        await Eventually.TrueAsync(() => rig.Recorder.Of(LifecycleKind.Resubscribed).Count == 1, "the resubscribed event");
        var resubscribed = rig.Recorder.Of(LifecycleKind.Resubscribed)[0];
        Assert.Equal((second.Id, first.Id, "silent", lastTaken), (resubscribed.SubscriptionId, resubscribed.PreviousSubscriptionId, resubscribed.Reason, resubscribed.Watermark));
    }

    [Fact]
    public async Task ErrorPush_LeadsToAResubscribeAtTheNextCheck()
    {
        await using var rig = await ManagedSubscriptionRig.StartAsync();
        var first = await SubscribedAsync(rig);

        first.RequestErrorPush();
        await Eventually.TrueAsync(() => rig.Recorder.Notifications.Any(n => n.SubscriptionId == first.Id && n.Error), "the error push is stored", TimeSpan.FromSeconds(15));

        // The manager's own loop: its check interval (10 s) passes on the listener's clock.
        rig.Clock.Advance(TimeSpan.FromSeconds(10));
        var second = await SubscribedAsync(rig, count: 2);
        Assert.NotEqual(first.Id, second.Id);
        await Eventually.TrueAsync(() => rig.Recorder.Of(LifecycleKind.Resubscribed).Count == 1, "the resubscribed event");
        Assert.Equal("failed", rig.Recorder.Of(LifecycleKind.Resubscribed)[0].Reason);
        Assert.Equal(first.LastWatermark, rig.Fake.Calls[1].Watermark);
    }

    [Fact]
    public async Task InvalidWatermark_LeadsToAFreshSubscriptionAndTheFullSyncEvent()
    {
        await using var rig = await ManagedSubscriptionRig.StartAsync();
        var first = await SubscribedAsync(rig);
        rig.Fake.AddFault(new FakeFault(FakeFaultKind.InvalidWatermark));

        first.Drop();
        await rig.AdvanceAndCheckAsync(TimeSpan.FromMinutes(2.5));

        var second = await SubscribedAsync(rig, count: 2);
        Assert.Equal(3, rig.Fake.Calls.Count);
        Assert.NotNull(rig.Fake.Calls[1].Watermark);
        Assert.Null(rig.Fake.Calls[2].Watermark);
        await Eventually.TrueAsync(() => rig.Recorder.Of(LifecycleKind.ResyncRequired).Count == 1, "the full-sync event");
        var resync = rig.Recorder.Of(LifecycleKind.ResyncRequired)[0];
        Assert.Equal((second.Id, first.Id, "alice"), (resync.SubscriptionId, resync.PreviousSubscriptionId, resync.Registration));
        Assert.Equal("invalidWatermark", Assert.Single(rig.Recorder.Of(LifecycleKind.Resubscribed)).Reason);
    }

    [Fact]
    public async Task ServerBusy_BackOffIsHonoured()
    {
        await using var rig = await ManagedSubscriptionRig.StartAsync();
        var first = await SubscribedAsync(rig);
        rig.Fake.AddFault(new FakeFault(FakeFaultKind.ServerBusy, BackOffMilliseconds: 45_000));

        first.Drop();
        await rig.AdvanceAndCheckAsync(TimeSpan.FromMinutes(2.5));
        Assert.Equal(2, rig.Fake.Calls.Count);
        await Eventually.TrueAsync(() => rig.Recorder.Of(LifecycleKind.SubscribeFailed).Count == 1, "the subscribeFailed event");
        var failed = rig.Recorder.Of(LifecycleKind.SubscribeFailed)[0];
        Assert.Equal(("ErrorServerBusy", (DateTimeOffset?)(rig.Clock.GetUtcNow() + TimeSpan.FromSeconds(45))), (failed.ResponseCode, failed.RetryAt));
        Assert.Equal(ManagedSubscriptionState.BackingOff, Assert.Single(await rig.ListAsync()).State);

        await rig.AdvanceAndCheckAsync(TimeSpan.FromSeconds(44));
        Assert.Equal(2, rig.Fake.Calls.Count);

        await rig.AdvanceAndCheckAsync(TimeSpan.FromSeconds(1));
        var second = await SubscribedAsync(rig, count: 2);
        Assert.Equal(3, rig.Fake.Calls.Count);
        Assert.Equal(first.LastWatermark, rig.Fake.Calls[2].Watermark);
        var view = Assert.Single(await rig.ListAsync());
        Assert.Equal((ManagedSubscriptionState.Active, second.Id), (view.State, view.SubscriptionId));
        Assert.StartsWith("ErrorServerBusy", view.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ForcedResubscribe_TheOldSubscriptionIsAnsweredUnsubscribe()
    {
        await using var rig = await ManagedSubscriptionRig.StartAsync();
        var first = await SubscribedAsync(rig);

        using (var client = rig.Admin())
        {
            using var response = await client.PostAsync("/api/managed-subscriptions/alice/resubscribe", null);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        var second = await SubscribedAsync(rig, count: 2);
        Assert.Equal("forced", (await WaitForAsync(rig, LifecycleKind.Resubscribed)).Reason);
        // Both are alive at Exchange: the next mailbox event goes to both, and the old one is told to stop.
        rig.Fake.Mailbox("alice@contoso.com").AddActivity(1);
        await Eventually.TrueAsync(() => first.State == FakeSubscriptionState.Unsubscribed, "the old subscription is answered Unsubscribe", TimeSpan.FromSeconds(15));
        await EventsOfAsync(rig, second.Id);
        Assert.Equal(FakeSubscriptionState.Active, second.State);
    }

    [Fact]
    public async Task Restart_RenewsWhatWentStaleWhileTheListenerWasDown()
    {
        await using var rig = await ManagedSubscriptionRig.StartAsync();
        var first = await SubscribedAsync(rig);

        await rig.StopListenerAsync();
        // The last watermark the listener stored (Exchange's heartbeats may have moved it on until the stop).
        var lastTaken = await rig.StoredWatermarkAsync(first.Id);
        Assert.NotNull(lastTaken);
        first.Drop(); // Exchange gave up on it while the listener was down
        rig.StartListener(ManagedSubscriptionRig.Start + TimeSpan.FromMinutes(5));

        var second = await SubscribedAsync(rig, count: 2);
        Assert.Equal(lastTaken, rig.Fake.Calls[1].Watermark);
        var resubscribed = await WaitForAsync(rig, LifecycleKind.Resubscribed);
        Assert.Equal(("stale", first.Id, second.Id), (resubscribed.Reason, resubscribed.PreviousSubscriptionId, resubscribed.SubscriptionId));
        // The same callback URL as before: the stored token, not a new one.
        Assert.Equal(rig.Fake.Calls[0].Url, rig.Fake.Calls[1].Url);
    }

    [Fact]
    public async Task Restart_KeepsASubscriptionThatIsStillAlive()
    {
        await using var rig = await ManagedSubscriptionRig.StartAsync();
        await SubscribedAsync(rig);

        await rig.StopListenerAsync();
        rig.StartListener(ManagedSubscriptionRig.Start + TimeSpan.FromSeconds(30));
        await rig.Manager.RunRoundAsync(CancellationToken.None);

        Assert.Single(rig.Fake.Calls);
        Assert.Equal(ManagedSubscriptionState.Active, Assert.Single(await rig.ListAsync()).State);
    }

    [Fact]
    public async Task ExceededSubscriptionCount_StopsUntilForced()
    {
        await using var rig = await ManagedSubscriptionRig.StartAsync();
        var first = await SubscribedAsync(rig);
        rig.Fake.AddFault(new FakeFault(FakeFaultKind.ExceededSubscriptionCount));

        first.Drop();
        await rig.AdvanceAndCheckAsync(TimeSpan.FromMinutes(3));
        var failed = await WaitForAsync(rig, LifecycleKind.SubscribeFailed);
        Assert.Equal(("ErrorExceededSubscriptionCount", (DateTimeOffset?)null), (failed.ResponseCode, failed.RetryAt));
        var view = Assert.Single(await rig.ListAsync());
        Assert.Equal(ManagedSubscriptionState.Stopped, view.State);
        Assert.StartsWith("ErrorExceededSubscriptionCount", view.LastError, StringComparison.Ordinal);

        await rig.AdvanceAndCheckAsync(TimeSpan.FromHours(1));
        Assert.Equal(2, rig.Fake.Calls.Count); // stopped: no more attempts

        using var client = rig.Admin();
        using var _ = await client.PostAsync("/api/managed-subscriptions/alice/resubscribe", null);
        await SubscribedAsync(rig, count: 2);
    }

    [Fact]
    public async Task ClientCredentials_TakesATokenThroughMsalAndImpersonates()
    {
        await using var rig = await ManagedSubscriptionRig.StartAsync(clientCredentials: true);

        await SubscribedAsync(rig);

        var call = Assert.Single(rig.Fake.Calls);
        Assert.Equal(("Bearer", true, "alice@contoso.com"), (call.AuthenticationScheme, call.Impersonated, call.Mailbox));
    }

    [Fact]
    public async Task AdminApiAndCommandLine_AddListResubscribeRemove()
    {
        await using var rig = await ManagedSubscriptionRig.StartAsync();
        await SubscribedAsync(rig);
        using var client = rig.Admin();
        using var output = new StringWriter();
        using var error = new StringWriter();

        List<string> add = ["managed", "add", "bob", "--mailbox", "bob@contoso.com", "--ews-url", rig.Exchange.EwsUrl.AbsoluteUri, "--credential", "svc", "--status-frequency", "5", "--all-folders"];
        var code = await Cli.ManagedCommandLine.RunAsync(client, ManagedSubscriptionRig.ApiKey, add, output, error);
        Assert.True(code == 0, error.ToString());
        await Eventually.TrueAsync(() => rig.Fake.Subscriptions.Any(s => s.Mailbox == "bob@contoso.com"), "bob is subscribed", TimeSpan.FromSeconds(15));
        var bob = rig.Fake.Calls.Single(c => c.Mailbox == "bob@contoso.com");
        Assert.Equal((true, 5), (bob.AllFolders, bob.StatusFrequency));
        await Eventually.TrueAsync(() => rig.Recorder.Notifications.Any(n => n.Registration == "bob"), "bob's pushes are attributed to bob", TimeSpan.FromSeconds(15));

        code = await Cli.ManagedCommandLine.RunAsync(client, ManagedSubscriptionRig.ApiKey, ["managed", "list"], output, error);
        Assert.Equal(0, code);
        Assert.Contains("2 managed registration(s)", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("bob\tbob@contoso.com\tActive", output.ToString(), StringComparison.Ordinal);

        code = await Cli.ManagedCommandLine.RunAsync(client, ManagedSubscriptionRig.ApiKey, ["managed", "resubscribe", "bob"], output, error);
        Assert.Equal(0, code);
        await Eventually.TrueAsync(() => rig.Fake.Calls.Count(c => c.Mailbox == "bob@contoso.com") == 2, "bob is resubscribed", TimeSpan.FromSeconds(15));

        // Configuration's registrations are changed in configuration only.
        code = await Cli.ManagedCommandLine.RunAsync(client, ManagedSubscriptionRig.ApiKey, ["managed", "remove", "alice"], output, error);
        Assert.Equal(1, code);
        Assert.Contains("409", error.ToString(), StringComparison.Ordinal);

        code = await Cli.ManagedCommandLine.RunAsync(client, ManagedSubscriptionRig.ApiKey, ["managed", "remove", "bob"], output, error);
        Assert.Equal(0, code);
        Assert.Equal(["alice"], (await rig.ListAsync()).Select(v => v.Registration));
        // Its URL stops working at once (404): nothing more is stored, and Exchange drops it when its retries run out.
        var current = rig.Fake.Subscriptions.Last(s => s.Mailbox == "bob@contoso.com");
        var taken = current.Pushes;
        var stored = rig.Recorder.Notifications.Count(n => n.Registration == "bob");
        using (var push = await rig.Listener.CreateClient().PostAsync(rig.Fake.Calls.Last(c => c.Mailbox == "bob@contoso.com").Url, new StringContent("<x/>")))
        {
            Assert.Equal(HttpStatusCode.NotFound, push.StatusCode);
        }

        Assert.Equal(taken, current.Pushes);
        Assert.Equal(stored, rig.Recorder.Notifications.Count(n => n.Registration == "bob"));
    }

    [Fact]
    public async Task AdminApi_RefusesAnInvalidRegistrationNamingEachProblem()
    {
        await using var rig = await ManagedSubscriptionRig.StartAsync();
        using var client = rig.Admin();

        using var response = await client.PutAsJsonAsync("/api/managed-subscriptions/carol", new { mailbox = "not-an-address", statusFrequency = 0, ews = new { url = "ftp://x", credential = "nobody", eventTypes = BogusEventTypes } });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        foreach (var expected in new[] { "mailbox", "statusFrequency", "ews:Url", "nobody", "Bogus" })
        {
            Assert.Contains(expected, body, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Secrets_NeverAppearInLogsApiAnswersOrLifecycleEvents()
    {
        // bob signs in with the client secret through MSAL, alice with the password; alice fails once, to log an error too.
        await using var rig = await ManagedSubscriptionRig.StartAsync(ews => new Dictionary<string, string?>
        {
            ["PushListener:Subscriptions:Registrations:bob:Mailbox"] = "bob@contoso.com",
            ["PushListener:Subscriptions:Registrations:bob:StatusFrequency"] = "1",
            ["PushListener:Subscriptions:Registrations:bob:Ews:Url"] = ews.AbsoluteUri,
            ["PushListener:Subscriptions:Registrations:bob:Ews:Credential"] = "app",
        });
        await Eventually.TrueAsync(() => rig.Fake.Subscriptions.Count == 2, "alice and bob are subscribed", TimeSpan.FromSeconds(15));
        var alice = rig.Fake.Subscriptions.First(s => s.Mailbox == "alice@contoso.com");
        await Eventually.TrueAsync(() => rig.Recorder.Notifications.Any(n => n.SubscriptionId == alice.Id), "alice's first push", TimeSpan.FromSeconds(15));
        alice.RequestErrorPush();
        rig.Fake.AddFault(new FakeFault(FakeFaultKind.ServerBusy, BackOffMilliseconds: 1000));
        await Eventually.TrueAsync(() => rig.Recorder.Notifications.Any(n => n.Error), "the error push", TimeSpan.FromSeconds(15));
        await rig.AdvanceAndCheckAsync(TimeSpan.FromSeconds(1));
        await rig.AdvanceAndCheckAsync(TimeSpan.FromSeconds(2));
        await Eventually.TrueAsync(() => rig.Recorder.Of(LifecycleKind.Resubscribed).Count >= 1, "the resubscribe after the error push", TimeSpan.FromSeconds(15));

        var tokens = rig.Fake.Calls.Select(c => c.Url.Segments[^1]).Distinct().ToList();
        Assert.Equal(2, tokens.Count);
        using var client = rig.Admin();
        var api = await client.GetStringAsync("/api/managed-subscriptions") + await client.GetStringAsync("/api/managed-subscriptions/alice") + await client.GetStringAsync("/api/registrations");
        var lifecycle = string.Join('\n', rig.Recorder.Lifecycle.Select(e => JsonSerializer.Serialize(e)));
        // Every level of every category: no password, client secret or Authorization header anywhere.
        var logs = string.Join('\n', rig.Logs.Lines);
        // Callback tokens are in request paths, which the framework itself logs at Debug (routing) and Information
        // (hosting diagnostics); the shipped configuration keeps Microsoft.* at Warning, and the request log (Serilog's,
        // in the configured sinks) is redacted by PushListener. Tokens are checked against what that configuration lets through.
        var requestLog = string.Join('\n', rig.SerilogEvents.RequestLines);
        var shipped = string.Join('\n', rig.Logs.Lines.Where(l => !l.Contains(" Microsoft.", StringComparison.Ordinal) || l.StartsWith("Warning", StringComparison.Ordinal) || l.StartsWith("Error", StringComparison.Ordinal))) + "\n" + requestLog;
        Assert.Contains("/ews/notifications/***", requestLog, StringComparison.Ordinal);
        Assert.NotEmpty(rig.Recorder.Of(LifecycleKind.SubscribeFailed));
        Assert.Contains("ErrorServerBusy", logs, StringComparison.Ordinal);
        Assert.Contains(rig.Fake.Calls, c => c.AuthenticationScheme == "Bearer");
        foreach (var secret in tokens.Concat([ManagedSubscriptionRig.Password, ManagedSubscriptionRig.ClientSecret, Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("svc@contoso.com:" + ManagedSubscriptionRig.Password))]))
        {
            Assert.DoesNotContain(secret, api, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, lifecycle, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, shipped, StringComparison.Ordinal);
        }

        foreach (var secret in new[] { ManagedSubscriptionRig.Password, ManagedSubscriptionRig.ClientSecret, Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("svc@contoso.com:" + ManagedSubscriptionRig.Password)) })
        {
            Assert.DoesNotContain(secret, logs, StringComparison.Ordinal);
        }
    }

    private static async Task<LifecycleEvent> WaitForAsync(ManagedSubscriptionRig rig, LifecycleKind kind)
    {
        await Eventually.TrueAsync(() => rig.Recorder.Of(kind).Count > 0, kind + " event", TimeSpan.FromSeconds(15));
        return rig.Recorder.Of(kind)[0];
    }
}
