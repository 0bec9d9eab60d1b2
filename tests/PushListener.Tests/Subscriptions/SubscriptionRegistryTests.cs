using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using PushListener.Inbox;
using PushListener.Protocol;
using PushListener.Subscriptions;
using PushListener.Tests.Infrastructure;

namespace PushListener.Tests.Subscriptions;

public sealed class SubscriptionRegistryTests
{
    private static readonly string Sub = PushBuilder.SubscriptionId(42);

    [Fact]
    public async Task Traffic_UpdatesRegistry_WatermarksCountsAndServerVersion()
    {
        using var factory = Factory(out _);
        using var client = factory.CreateClient();
        await PostOkAsync(client, PushBuilder.NewMail(Sub, 1));
        await PostOkAsync(client, PushBuilder.NewMail(Sub, 2));
        await PostOkAsync(client, Fixture.Bytes("all-event-types.xml"));

        var store = factory.Services.GetRequiredService<ISubscriptionRegistry>();
        var record = await store.GetAsync(Sub, CancellationToken.None);
        Assert.NotNull(record);
        Assert.Equal(SubscriptionState.Active, record.State);
        Assert.Equal(PushBuilder.Watermark(Sub, 2), record.LastWatermark);
        Assert.Equal(PushBuilder.Watermark(Sub, 1), record.LastPreviousWatermark);
        Assert.Equal("Exchange2013", record.RequestServerVersion);
        Assert.Equal(2, record.Notifications);
        Assert.Equal(2, record.EventCounts["NewMail"]);
        Assert.Equal(0, record.Gaps);

        var fixture = SendNotificationReader.Read(Fixture.Bytes("all-event-types.xml"));
        var other = await store.GetAsync(fixture.Messages[0].SubscriptionId!, CancellationToken.None);
        Assert.Equal("Exchange2010_SP2", other!.RequestServerVersion);
        foreach (var kind in Enum.GetValues<EventKind>())
        {
            Assert.Equal(fixture.Messages[0].Notification!.Events.Count(e => e.Kind == kind), other.EventCounts[kind.ToString()]);
        }
    }

    [Fact]
    public async Task StatusEvent_AdvancesTheStoredWatermark()
    {
        using var factory = Factory(out _);
        using var client = factory.CreateClient();
        var heartbeat = SendNotificationReader.Read(Fixture.Bytes("heartbeat.xml")).Messages[0].Notification!;

        await PostOkAsync(client, Fixture.Bytes("heartbeat.xml"));

        var record = await factory.Services.GetRequiredService<ISubscriptionRegistry>().GetAsync(heartbeat.SubscriptionId, CancellationToken.None);
        Assert.Equal(heartbeat.Events[0].Watermark, record!.LastWatermark);
        Assert.Equal(1, record.EventCounts["Status"]);
    }

    [Fact]
    public async Task BrokenWatermarkChain_RaisesGapDetected_WithTheLastStoredWatermark_BeforeTheNotification()
    {
        using var factory = Factory(out var recorder);
        using var client = factory.CreateClient();
        await PostOkAsync(client, PushBuilder.NewMail(Sub, 1));
        await PostOkAsync(client, PushBuilder.NewMail(Sub, 2));
        await PostOkAsync(client, PushBuilder.NewMail(Sub, 5));

        await Eventually.TrueAsync(() => recorder.Notifications.Count == 3 && !recorder.Lifecycle.IsEmpty);
        var gap = Assert.Single(recorder.Lifecycle);
        Assert.Equal(LifecycleKind.GapDetected, gap.Kind);
        Assert.Equal(Sub, gap.SubscriptionId);
        Assert.Equal(PushBuilder.Watermark(Sub, 2), gap.LastStoredWatermark);
        Assert.Equal(PushBuilder.Watermark(Sub, 4), gap.ReceivedPreviousWatermark);
        var record = await factory.Services.GetRequiredService<ISubscriptionRegistry>().GetAsync(Sub, CancellationToken.None);
        Assert.Equal(1, record!.Gaps);
    }

    [Fact]
    public async Task NoFalseGap_OnFirstNotification_OnDuplicates_OrAfterRestart()
    {
        var folder = Path.Combine(Path.GetTempPath(), "pushlistener-tests", Guid.NewGuid().ToString("N"));
        LifecycleRecorder first;
        using (var factory = Factory(out first).With("PushListener:Inbox:DataFolder", folder))
        {
            using var client = factory.CreateClient();
            await PostOkAsync(client, PushBuilder.NewMail(Sub, 10)); // first ever: no stored watermark to compare
            await PostOkAsync(client, PushBuilder.NewMail(Sub, 11));
            await PostOkAsync(client, PushBuilder.NewMail(Sub, 11)); // Exchange's retry of the same push
            await Eventually.TrueAsync(() => first.Notifications.Count == 2);
        }

        using (var restarted = Factory(out var second).With("PushListener:Inbox:DataFolder", folder))
        {
            using var client = restarted.CreateClient();
            await PostOkAsync(client, PushBuilder.NewMail(Sub, 12));
            await Eventually.TrueAsync(() => second.Notifications.Count == 1);
            Assert.Empty(second.Lifecycle);
        }

        Assert.Empty(first.Lifecycle);
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task ErrorPush_RaisesFailed_WithTheSubscriptionIdFromMessageXml()
    {
        using var factory = Factory(out var recorder);
        using var client = factory.CreateClient();
        var error = SendNotificationReader.Read(Fixture.Bytes("error-push.xml")).Messages[0];

        await PostOkAsync(client, Fixture.Bytes("error-push.xml"));

        await Eventually.TrueAsync(() => !recorder.Lifecycle.IsEmpty);
        var failed = Assert.Single(recorder.Lifecycle);
        Assert.Equal(LifecycleKind.Failed, failed.Kind);
        Assert.Equal(error.MessageXmlValues["SubscriptionId"], failed.SubscriptionId);
        Assert.Equal("ErrorReadEventsFailed", failed.ResponseCode);
        Assert.Equal(error.MessageText, failed.MessageText);
        var record = await factory.Services.GetRequiredService<ISubscriptionRegistry>().GetAsync(failed.SubscriptionId, CancellationToken.None);
        Assert.Equal(SubscriptionState.Failed, record!.State);
    }

    [Fact]
    public async Task Watchdog_SilentAfterTwiceStatusFrequency_ResumedWhenHeardAgain()
    {
        var clock = new ManualTimeProvider(new DateTimeOffset(2026, 11, 22, 8, 0, 0, TimeSpan.Zero));
        using var factory = Factory(out var recorder)
            .With("PushListener:Subscriptions:Registrations:alice:Mailbox", "alice@example.org")
            .With("PushListener:Subscriptions:Registrations:alice:StatusFrequency", "5")
            .With("PushListener:Subscriptions:Registrations:alice:SubscriptionIds:0", Sub)
            .WithServices(s => s.Replace(ServiceDescriptor.Singleton<TimeProvider>(clock)));
        using var client = factory.CreateClient();
        var watchdog = factory.Services.GetRequiredService<SubscriptionWatchdog>();
        var store = factory.Services.GetRequiredService<ISubscriptionRegistry>();
        await PostOkAsync(client, PushBuilder.NewMail(Sub, 1));

        clock.Advance(TimeSpan.FromMinutes(9));
        await watchdog.CheckAsync(CancellationToken.None);
        Assert.Equal(SubscriptionState.Active, (await store.GetAsync(Sub, CancellationToken.None))!.State);

        clock.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        await watchdog.CheckAsync(CancellationToken.None);
        Assert.Equal(SubscriptionState.Silent, (await store.GetAsync(Sub, CancellationToken.None))!.State);
        await Eventually.TrueAsync(() => recorder.Lifecycle.Any(e => e.Kind == LifecycleKind.Silent));
        var silent = recorder.Lifecycle.Single(e => e.Kind == LifecycleKind.Silent);
        Assert.Equal(TimeSpan.FromMinutes(5), silent.ExpectedInterval);
        Assert.Equal(new DateTimeOffset(2026, 11, 22, 8, 0, 0, TimeSpan.Zero), silent.LastSeen);

        await watchdog.CheckAsync(CancellationToken.None);
        Assert.Single(recorder.Lifecycle, e => e.Kind == LifecycleKind.Silent);

        await PostOkAsync(client, PushBuilder.NewMail(Sub, 2));
        await Eventually.TrueAsync(() => recorder.Lifecycle.Any(e => e.Kind == LifecycleKind.Resumed));
        Assert.Equal(SubscriptionState.Active, (await store.GetAsync(Sub, CancellationToken.None))!.State);
        Assert.Single(recorder.Lifecycle, e => e.Kind == LifecycleKind.Resumed);
        Assert.Equal("alice", recorder.Notifications.Last().Push.Registration?.Name);
        Assert.Equal("alice@example.org", recorder.Notifications.Last().Push.Registration?.Mailbox);
    }

    [Fact]
    public async Task Watchdog_LearnsTheIntervalFromHeartbeatSpacing()
    {
        var clock = new ManualTimeProvider(new DateTimeOffset(2026, 11, 22, 8, 0, 0, TimeSpan.Zero));
        using var factory = Factory(out var recorder).WithServices(s => s.Replace(ServiceDescriptor.Singleton<TimeProvider>(clock)));
        using var client = factory.CreateClient();
        var watchdog = factory.Services.GetRequiredService<SubscriptionWatchdog>();
        var store = factory.Services.GetRequiredService<ISubscriptionRegistry>();

        await PostOkAsync(client, Heartbeat(Sub, 1));
        clock.Advance(TimeSpan.FromMinutes(3));
        await PostOkAsync(client, Heartbeat(Sub, 2));
        var learned = await store.GetAsync(Sub, CancellationToken.None);
        Assert.Equal(180, learned!.ExpectedIntervalSeconds);
        Assert.Equal("learned", learned.ExpectedIntervalSource);

        clock.Advance(TimeSpan.FromMinutes(6) + TimeSpan.FromSeconds(1));
        await watchdog.CheckAsync(CancellationToken.None);

        Assert.Equal(SubscriptionState.Silent, (await store.GetAsync(Sub, CancellationToken.None))!.State);
        await Eventually.TrueAsync(() => recorder.Lifecycle.Any(e => e.Kind == LifecycleKind.Silent));
    }

    [Fact]
    public async Task UnknownPolicyUnsubscribe_RefusesStrangers_StoresNothing_AcceptsRegistered()
    {
        var registered = PushBuilder.SubscriptionId(1);
        var stranger = PushBuilder.SubscriptionId(2);
        using var factory = Factory(out var recorder)
            .With("PushListener:Subscriptions:UnknownPolicy", "Unsubscribe")
            .With("PushListener:Subscriptions:Registrations:known:SubscriptionIds:0", registered);
        using var client = factory.CreateClient();

        Assert.Equal("Unsubscribe", await PostAsync(client, PushBuilder.NewMail(stranger, 1)));
        Assert.Equal("OK", await PostAsync(client, PushBuilder.NewMail(registered, 1)));

        await Eventually.TrueAsync(() => recorder.Notifications.Count == 1);
        Assert.Equal(registered, recorder.Notifications.Single().SubscriptionId);
        var store = factory.Services.GetRequiredService<ISubscriptionRegistry>();
        Assert.Equal(SubscriptionState.Unsubscribed, (await store.GetAsync(stranger, CancellationToken.None))!.State);
        var stats = await factory.Services.GetRequiredService<IEntryLog>().GetStatsAsync(CancellationToken.None);
        Assert.Equal(1, stats.Pending + stats.InFlight + stats.Done);
    }

    [Fact]
    public async Task MarkedForUnsubscribe_NextPushAnsweredUnsubscribe_ThenRecordedUnsubscribed()
    {
        using var factory = Factory(out _);
        using var client = factory.CreateClient();
        var store = factory.Services.GetRequiredService<ISubscriptionRegistry>();
        await PostOkAsync(client, PushBuilder.NewMail(Sub, 1));

        Assert.True(await store.MarkUnsubscribeAsync(Sub, CancellationToken.None));
        Assert.Equal(SubscriptionState.Unsubscribing, (await store.GetAsync(Sub, CancellationToken.None))!.State);

        Assert.Equal("Unsubscribe", await PostAsync(client, PushBuilder.NewMail(Sub, 2)));
        Assert.Equal(SubscriptionState.Unsubscribed, (await store.GetAsync(Sub, CancellationToken.None))!.State);
        Assert.Equal("Unsubscribe", await PostAsync(client, PushBuilder.NewMail(Sub, 2))); // Exchange's retry of that push
        Assert.False(await store.MarkUnsubscribeAsync("never-seen", CancellationToken.None));
    }

    internal static ListenerFactory Factory(out LifecycleRecorder recorder)
    {
        var handler = new LifecycleRecorder();
        recorder = handler;
        return new ListenerFactory()
            .With("PushListener:Handlers:log:Enabled", "false")
            .WithServices(s => s.AddNotificationHandler(handler, o => o.Name = "recorder"));
    }

    internal static async Task<string> PostAsync(HttpClient client, byte[] body, string path = "/ews/notifications")
    {
        using var response = await client.SendAsync(Soap.Post(body, path: path));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return Soap.StatusOf(await response.Content.ReadAsStringAsync());
    }

    private static async Task PostOkAsync(HttpClient client, byte[] body) => Assert.Equal("OK", await PostAsync(client, body));

    private static byte[] Heartbeat(string subscription, int sequence) =>
        System.Text.Encoding.UTF8.GetBytes(System.Text.Encoding.UTF8.GetString(Fixture.Bytes("heartbeat.xml"))
            .Replace(SendNotificationReader.Read(Fixture.Bytes("heartbeat.xml")).Messages[0].SubscriptionId!, subscription, StringComparison.Ordinal)
            .Replace("<t:Watermark>", "<t:Watermark>" + sequence.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("<t:PreviousWatermark>", "<t:PreviousWatermark>" + (sequence - 1).ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
}
