using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging.Abstractions;
using PushListener.Feeds;
using PushListener.Protocol;
using PushListener.Tests.Infrastructure;
using static PushListener.Tests.Feeds.FeedTestSupport;

namespace PushListener.Tests.Feeds;

/// <summary>Restarts, retention limits with gap records, and idempotent appends.</summary>
public sealed class FeedDurabilityTests
{
    private static readonly string Sub = PushBuilder.SubscriptionId(4);

    [Fact]
    public async Task Restart_KeepsFeedsKeysAndUnacknowledgedEntries_AndCollectsOn()
    {
        var folder = Path.Combine(Path.GetTempPath(), "pushlistener-tests", Guid.NewGuid().ToString("N"));
        RegisteredFeed feed;
        using (var factory = Factory().With("PushListener:Inbox:DataFolder", folder).With("PushListener:Feeds:VisibilityTimeout", "00:00:01"))
        {
            using var admin = AdminClient(factory);
            feed = await RegisterAsync(admin, new { session = "crm", scope = new { subscriptionIds = new[] { Sub } } });
            for (var i = 1; i <= 3; i++)
            {
                await PostAsync(admin, PushBuilder.NewMail(Sub, i));
            }

            await AppendedAsync(admin, feed.Handle, 3);
            var first = await FetchAsync(admin, feed.Handle, "max=1");
            var second = await FetchAsync(admin, feed.Handle, $"max=1&ack={first.Cursor}");
            Assert.Equal(1, second.Acknowledged);
            Assert.Equal([2], second.Entries.Select(e => e.MailSequence));
        }

        try
        {
            using var restarted = Factory().With("PushListener:Inbox:DataFolder", folder).With("PushListener:Feeds:VisibilityTimeout", "00:00:01");
            using var consumer = Consumer(restarted, feed);
            var counters = (await GetAsync(consumer, feed.Handle)).GetProperty("counters");
            Assert.Equal(3, counters.GetProperty("appended").GetInt64());
            Assert.Equal(1, counters.GetProperty("acknowledged").GetInt64());

            // Entry 2 was handed out (and not acknowledged) before the restart: it comes back when its lease ends.
            // Entry 3 is visible at once; entry 2 only when its lease ends, which may take a fetch or two.
            // Unacknowledged entries come back after each lease: count what was seen, not how often.
            var rest = new SortedSet<int>();
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
            while (rest.Count < 2 && DateTime.UtcNow < deadline)
            {
                rest.UnionWith((await FetchAsync(consumer, feed.Handle, "wait=2")).Entries.Select(e => e.MailSequence));
            }

            Assert.Equal([2, 3], rest);
            using var admin = AdminClient(restarted);
            await PostAsync(admin, PushBuilder.NewMail(Sub, 4));
            var after = await FetchAsync(consumer, feed.Handle, "wait=10");
            // 4 is collected after the restart; 2 and 3 may come again beside it (their leases are one second).
            Assert.Contains(4, after.Entries.Select(e => e.MailSequence));
            Assert.All(after.Entries, e => Assert.InRange(e.MailSequence, 2, 4));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Overflow_DropsTheOldest_AndTellsTheConsumerHowManyInAGapRecord()
    {
        using var factory = Factory();
        using var admin = AdminClient(factory);
        var feed = await RegisterAsync(admin, new { scope = new { subscriptionIds = new[] { Sub } }, retention = new { maxEntries = 3 } });
        for (var i = 1; i <= 5; i++)
        {
            await PostAsync(admin, PushBuilder.NewMail(Sub, i));
        }

        await AppendedAsync(admin, feed.Handle, 5);
        var batch = await FetchAsync(admin, feed.Handle);

        Assert.Equal(["gap", "notification", "notification", "notification"], batch.Entries.Select(e => e.Kind));
        var gap = batch.Entries[0];
        Assert.Equal(2, gap.Payload.GetProperty("dropped").GetInt64());
        Assert.Equal("maxEntries", gap.Payload.GetProperty("reason").GetString());
        Assert.Equal("pushlistener.feedgap/v1", gap.Payload.GetProperty("schema").GetString());
        Assert.Equal([3, 4, 5], batch.Entries.Skip(1).Select(e => e.MailSequence));
        Assert.True(gap.Seq < batch.Entries[1].Seq);
        Assert.Equal(2, await CounterAsync(admin, feed.Handle, "dropped"));

        // Once acknowledged, the feed is below its limit again: no new gap.
        await FetchAsync(admin, feed.Handle, $"ack={batch.Cursor}");
        await PostAsync(admin, PushBuilder.NewMail(Sub, 6));
        await AppendedAsync(admin, feed.Handle, 6);
        Assert.Equal(["notification"], (await FetchAsync(admin, feed.Handle)).Entries.Select(e => e.Kind));
    }

    [Fact]
    public async Task AgeLimit_DropsExpiredEntries_WithAGapRecord()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow);
        using var factory = Factory()
            .With("PushListener:Feeds:CleanupInterval", "00:00:01")
            .WithServices(s => s.Replace(ServiceDescriptor.Singleton<TimeProvider>(clock)));
        using var admin = AdminClient(factory);
        var feed = await RegisterAsync(admin, new { scope = new { subscriptionIds = new[] { Sub } }, retention = new { maxAge = "00:01:00" } });
        await PostAsync(admin, PushBuilder.NewMail(Sub, 1));
        await PostAsync(admin, PushBuilder.NewMail(Sub, 2));
        await AppendedAsync(admin, feed.Handle, 2);

        clock.Advance(TimeSpan.FromMinutes(2));
        await Eventually.TrueAsync(async () => await CounterAsync(admin, feed.Handle, "dropped") == 2);

        var gap = Assert.Single((await FetchAsync(admin, feed.Handle)).Entries);
        Assert.Equal("gap", gap.Kind);
        Assert.Equal(2, gap.Payload.GetProperty("dropped").GetInt64());
        Assert.Equal("maxAge", gap.Payload.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task RetriedDelivery_IsAppendedOnce_EvenAfterItWasAcknowledged()
    {
        using var factory = Factory();
        using var admin = AdminClient(factory);
        var feed = await RegisterAsync(admin, new { scope = new { subscriptionIds = new[] { Sub } } });
        var handler = ActivatorUtilities.CreateInstance<FeedHandler>(factory.Services);
        var message = SendNotificationReader.Read(PushBuilder.NewMail(Sub, 1)).Messages[0];
        NotificationContext Attempt(int attempt) => new(message, new PushMetadata("retried-1", DateTimeOffset.UtcNow, null), attempt, NullLogger.Instance, factory.Services, CancellationToken.None);

        await handler.HandleAsync(Attempt(1));
        await handler.HandleAsync(Attempt(2));
        var batch = await FetchAsync(admin, feed.Handle, "wait=5");
        await FetchAsync(admin, feed.Handle, $"ack={batch.Cursor}");
        await handler.HandleAsync(Attempt(3));

        Assert.Single(batch.Entries);
        Assert.Equal(1, await CounterAsync(admin, feed.Handle, "appended"));
        Assert.Empty((await FetchAsync(admin, feed.Handle)).Entries);
    }
}
