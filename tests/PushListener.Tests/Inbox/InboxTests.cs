using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using PushListener.Inbox;
using PushListener.Storage.Sqlite;
using PushListener.Tests.Infrastructure;

namespace PushListener.Tests.Inbox;

public sealed class InboxTests
{
    [Fact]
    public async Task ConcurrentPosts_AreGroupCommitted_InFarFewerTransactions()
    {
        const int posts = 200;
        using var factory = new ListenerFactory().With("PushListener:Handlers:log:Enabled", "false");
        using var client = factory.CreateClient();
        var database = factory.Services.GetRequiredService<SqliteDatabase>();
        var store = factory.Services.GetRequiredService<IEntryLog>();
        var before = database.Transactions;

        var responses = await Task.WhenAll(Enumerable.Range(1, posts).Select(async i =>
        {
            using var response = await client.SendAsync(Soap.Post(PushBuilder.NewMail(PushBuilder.SubscriptionId(i), i)));
            return (response.StatusCode, Soap.StatusOf(await response.Content.ReadAsStringAsync()));
        }));

        Assert.All(responses, r => Assert.Equal((HttpStatusCode.OK, "OK"), r));
        var appendTransactions = database.Transactions - before;
        var stats = await store.GetStatsAsync(CancellationToken.None);
        Assert.Equal(posts, stats.Pending + stats.InFlight + stats.Done);
        // Dispatcher writes (attempts, completions) share those transactions too; still far fewer than one per post.
        Assert.True(appendTransactions < posts / 2, $"{appendTransactions} transactions for {posts} posts");
    }

    [Fact]
    public async Task SamePushTwice_IsDeliveredOnce_AndAnsweredTheSame()
    {
        var handler = new RecordingHandler("once", _ => ValueTask.FromResult(HandlerResult.Unsubscribe("test"))) { MayUnsubscribe = true };
        // A generous budget: on a loaded machine the first attempt can take longer than the default second, and this
        // test is about the duplicate's answer, not about the budget.
        using var factory = new ListenerFactory()
            .With("PushListener:Inbox:ReplyBudget", "00:01:00")
            .WithServices(s => s.AddNotificationHandler(handler, o => o.Name = "once"));
        using var client = factory.CreateClient();
        var body = PushBuilder.NewMail(PushBuilder.SubscriptionId(1), 7);

        using var first = await client.SendAsync(Soap.Post(body));
        using var second = await client.SendAsync(Soap.Post(body));

        Assert.Equal("Unsubscribe", Soap.StatusOf(await first.Content.ReadAsStringAsync()));
        Assert.Equal("Unsubscribe", Soap.StatusOf(await second.Content.ReadAsStringAsync()));
        await Task.Delay(200);
        Assert.Single(handler.Calls);
    }

    [Fact]
    public async Task SameErrorPushTwice_DedupesByContentHash()
    {
        var handler = new RecordingHandler("errors");
        using var factory = new ListenerFactory().WithServices(s => s.AddNotificationHandler(handler, o => o.Name = "errors"));
        using var client = factory.CreateClient();

        using var first = await client.SendAsync(Soap.PostFixture("error-push.xml"));
        using var second = await client.SendAsync(Soap.PostFixture("error-push.xml"));

        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        await Eventually.TrueAsync(() => !handler.Calls.IsEmpty);
        await Task.Delay(200);
        Assert.Single(handler.Calls);
    }

    [Fact]
    public async Task StoreFull_AnswersServerFault_NeverOk_AndKeepsServing()
    {
        using var factory = new ListenerFactory()
            .With("PushListener:Inbox:MaxSizeMegabytes", "1")
            .With("PushListener:Handlers:log:Enabled", "false");
        using var client = factory.CreateClient();
        var oks = 0;
        HttpStatusCode last = HttpStatusCode.OK;
        string lastBody = string.Empty;
        for (var i = 1; i <= 40 && last == HttpStatusCode.OK; i++)
        {
            using var response = await client.SendAsync(Soap.Post(PushBuilder.NewMail(PushBuilder.SubscriptionId(1), i, padding: 100_000)));
            last = response.StatusCode;
            lastBody = await response.Content.ReadAsStringAsync();
            if (last == HttpStatusCode.OK)
            {
                Assert.Equal("OK", Soap.StatusOf(lastBody));
                oks++;
            }
        }

        Assert.Equal(HttpStatusCode.InternalServerError, last);
        Assert.Equal("s:Server", Soap.FaultOf(lastBody).Code);
        Assert.DoesNotContain("SubscriptionStatus", lastBody, StringComparison.Ordinal);
        var stats = await factory.Services.GetRequiredService<IEntryLog>().GetStatsAsync(CancellationToken.None);
        Assert.Equal(oks, stats.Pending + stats.InFlight + stats.Done + stats.DeadLettered);
        // Still serving (alive), but not ready: the store refused a push (tests/Health/ReadinessTests covers the recovery).
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz/live")).StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync("/healthz")).StatusCode);
    }

    [Fact]
    public async Task FailingHandler_IsRetried_WithoutRerunningSucceededHandlers()
    {
        var good = new RecordingHandler("good");
        var failuresLeft = 2;
        var flaky = new RecordingHandler("flaky", _ => Interlocked.Decrement(ref failuresLeft) >= 0 ? throw new HttpRequestException("503") : ValueTask.FromResult(HandlerResult.Continue));
        using var factory = FastRetries(3).WithServices(s => s
            .AddNotificationHandler(good, o => (o.Name, o.Order) = ("good", 1))
            .AddNotificationHandler(flaky, o => (o.Name, o.Order) = ("flaky", 2)));
        using var client = factory.CreateClient();

        using var response = await client.SendAsync(Soap.Post(PushBuilder.NewMail(PushBuilder.SubscriptionId(1), 1)));

        Assert.Equal("OK", Soap.StatusOf(await response.Content.ReadAsStringAsync()));
        await Eventually.TrueAsync(() => flaky.Calls.Count == 3);
        Assert.Equal([1, 2, 3], flaky.Calls.Select(c => c.Attempt));
        Assert.Single(good.Calls);
        var store = factory.Services.GetRequiredService<IEntryLog>();
        await Eventually.TrueAsync(async () => (await store.GetStatsAsync(CancellationToken.None)).Done == 1);
        var stats = await store.GetStatsAsync(CancellationToken.None);
        Assert.Equal(2, Assert.Single(stats.Handlers, h => h.Handler == "flaky").Failures);
        Assert.Equal(0, stats.DeadLettered);
    }

    [Fact]
    public async Task HandlerFailingEveryAttempt_IsDeadLettered_ThenReplayDeliversAgainToItOnly()
    {
        var good = new RecordingHandler("good");
        var broken = true;
        var webhook = new RecordingHandler("webhook", _ => Volatile.Read(ref broken) ? throw new HttpRequestException("target down") : ValueTask.FromResult(HandlerResult.Continue));
        using var factory = FastRetries(3).WithServices(s => s
            .AddNotificationHandler(good, o => (o.Name, o.Order) = ("good", 1))
            .AddNotificationHandler(webhook, o => (o.Name, o.Order) = ("webhook", 2)));
        using var client = factory.CreateClient();
        var store = factory.Services.GetRequiredService<IDeadLetterStore>();
        var entries = factory.Services.GetRequiredService<IEntryLog>();

        using var response = await client.SendAsync(Soap.Post(PushBuilder.NewMail(PushBuilder.SubscriptionId(1), 1)));
        Assert.Equal("OK", Soap.StatusOf(await response.Content.ReadAsStringAsync()));

        await Eventually.TrueAsync(async () => (await store.ListAsync(10, CancellationToken.None)).Count == 1);
        var letter = Assert.Single(await store.ListAsync(10, CancellationToken.None));
        Assert.Equal(3, letter.Attempts);
        Assert.Equal(["webhook"], letter.FailedHandlers);
        Assert.Contains("target down", letter.LastError, StringComparison.Ordinal);
        Assert.Equal(3, webhook.Calls.Count);

        Volatile.Write(ref broken, false);
        Assert.Equal(1, await store.ReplayAsync(letter.Id, CancellationToken.None));
        factory.Services.GetRequiredService<IDispatchNotifier>().Notify();

        await Eventually.TrueAsync(() => webhook.Calls.Count == 4);
        await Eventually.TrueAsync(async () => (await entries.GetStatsAsync(CancellationToken.None)) is { Done: 1, DeadLettered: 0 });
        Assert.Single(good.Calls);
        // The replay is the same delivery: handlers (and webhook receivers) see the same delivery id.
        Assert.Single(webhook.Calls.Select(c => c.Push.DeliveryId).Distinct());
        Assert.Equal(letter.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), webhook.Calls.Last().Push.DeliveryId);
    }

    [Fact]
    public async Task PurgeDeadLetters_RemovesThem()
    {
        var broken = new RecordingHandler("broken", _ => throw new InvalidOperationException("always"));
        using var factory = FastRetries(1).WithServices(s => s.AddNotificationHandler(broken, o => o.Name = "broken"));
        using var client = factory.CreateClient();
        var store = factory.Services.GetRequiredService<IDeadLetterStore>();
        var entries = factory.Services.GetRequiredService<IEntryLog>();
        for (var i = 1; i <= 3; i++)
        {
            using var _ = await client.SendAsync(Soap.Post(PushBuilder.NewMail(PushBuilder.SubscriptionId(i), 1)));
        }

        await Eventually.TrueAsync(async () => (await entries.GetStatsAsync(CancellationToken.None)).DeadLettered == 3);
        var first = (await store.ListAsync(10, CancellationToken.None))[0];

        Assert.Equal(1, await store.PurgeAsync(first.Id, CancellationToken.None));
        Assert.Equal(2, await store.PurgeAsync(null, CancellationToken.None));
        Assert.Equal(0, (await entries.GetStatsAsync(CancellationToken.None)).DeadLettered);
    }

    [Fact]
    public async Task ParallelDispatch_KeepsEachSubscriptionInOrder()
    {
        const int subscriptions = 6;
        const int perSubscription = 25;
        var seen = new ConcurrentDictionary<string, ConcurrentQueue<int>>();
        var concurrent = 0;
        var maxConcurrent = 0;
        var recorder = new RecordingHandler("order", async c =>
        {
            var now = Interlocked.Increment(ref concurrent);
            InterlockedMax(ref maxConcurrent, now);
            await Task.Delay(Random.Shared.Next(0, 4), c.CancellationToken);
            seen.GetOrAdd(c.SubscriptionId!, _ => new()).Enqueue(PushBuilder.SequenceOf(c.Message!));
            Interlocked.Decrement(ref concurrent);
            return HandlerResult.Continue;
        });
        using var factory = new ListenerFactory()
            .With("PushListener:Inbox:Concurrency", "4")
            .With("PushListener:Inbox:ReplyBudget", "00:00:00")
            .WithServices(s => s.AddNotificationHandler(recorder, o => o.Name = "order"));
        using var client = factory.CreateClient();

        for (var seq = 1; seq <= perSubscription; seq++)
        {
            for (var sub = 0; sub < subscriptions; sub++)
            {
                using var response = await client.SendAsync(Soap.Post(PushBuilder.NewMail(PushBuilder.SubscriptionId(sub), seq)));
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }
        }

        await Eventually.TrueAsync(() => seen.Values.Sum(q => q.Count) == subscriptions * perSubscription, TimeSpan.FromSeconds(30));
        Assert.All(seen.Values, q => Assert.Equal(Enumerable.Range(1, perSubscription), q));
        Assert.True(maxConcurrent > 1, "subscriptions should run in parallel");
        Assert.True(maxConcurrent <= 4, $"concurrency {maxConcurrent} exceeds the limit");
    }

    [Fact]
    public async Task VoteAfterReplyBudget_IsAnsweredOnTheSubscriptionsNextPush()
    {
        var release = new TaskCompletionSource();
        var slowVoter = new RecordingHandler("slow-voter", async c =>
        {
            if (PushBuilder.SequenceOf(c.Message!) == 1)
            {
                await release.Task.WaitAsync(c.CancellationToken);
                return HandlerResult.Unsubscribe("decided late");
            }

            return HandlerResult.Continue;
        });
        using var factory = new ListenerFactory()
            .With("PushListener:Inbox:ReplyBudget", "00:00:00.100")
            .WithServices(s => s.AddNotificationHandler(slowVoter, o => o.Name = "slow-voter"));
        using var client = factory.CreateClient();
        var subscription = PushBuilder.SubscriptionId(3);

        using var first = await client.SendAsync(Soap.Post(PushBuilder.NewMail(subscription, 1)));
        Assert.Equal("OK", Soap.StatusOf(await first.Content.ReadAsStringAsync()));
        release.SetResult();
        var votes = factory.Services.GetRequiredService<IStickyVoteStore>();
        await Eventually.TrueAsync(async () => (await votes.ListAsync(CancellationToken.None)).Count == 1);

        using var second = await client.SendAsync(Soap.Post(PushBuilder.NewMail(subscription, 2)));
        using var third = await client.SendAsync(Soap.Post(PushBuilder.NewMail(subscription, 3)));

        Assert.Equal("Unsubscribe", Soap.StatusOf(await second.Content.ReadAsStringAsync()));
        Assert.Equal("OK", Soap.StatusOf(await third.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task InboxDisabled_RunsHandlersInline()
    {
        var handler = new RecordingHandler("inline");
        using var factory = new ListenerFactory()
            .With("PushListener:Inbox:Enabled", "false")
            .WithServices(s => s.AddNotificationHandler(handler, o => o.Name = "inline"));
        using var client = factory.CreateClient();

        using var response = await client.SendAsync(Soap.PostFixture("heartbeat.xml"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(handler.Calls);
        Assert.Null(factory.Services.GetService<IEntryLog>());
    }

    private static ListenerFactory FastRetries(int maxAttempts) => new ListenerFactory()
        .With("PushListener:Inbox:MaxAttempts", maxAttempts.ToString(System.Globalization.CultureInfo.InvariantCulture))
        .With("PushListener:Inbox:RetryDelay", "00:00:00.010")
        .With("PushListener:Inbox:MaxRetryDelay", "00:00:00.050")
        .With("PushListener:Handlers:log:Enabled", "false");

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}

public sealed class InboxRetentionTests
{
    [Fact]
    public async Task ProcessedEntriesPastRetention_AreDeleted_PendingAndDeadLettersKept()
    {
        var clock = new ManualTimeProvider(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero));
        var broken = new RecordingHandler("broken", c => PushBuilder.SequenceOf(c.Message!) == 2 ? throw new InvalidOperationException("no") : ValueTask.FromResult(HandlerResult.Continue));
        using var factory = new ListenerFactory()
            .With("PushListener:Inbox:MaxAttempts", "1")
            .With("PushListener:Handlers:log:Enabled", "false")
            .WithServices(s =>
            {
                s.Replace(ServiceDescriptor.Singleton<TimeProvider>(clock));
                s.AddNotificationHandler(broken, o => o.Name = "broken");
            });
        using var client = factory.CreateClient();
        var store = factory.Services.GetRequiredService<IEntryLog>();
        using (await client.SendAsync(Soap.Post(PushBuilder.NewMail(PushBuilder.SubscriptionId(1), 1))))
        using (await client.SendAsync(Soap.Post(PushBuilder.NewMail(PushBuilder.SubscriptionId(2), 2))))
        {
        }

        await Eventually.TrueAsync(async () => (await store.GetStatsAsync(CancellationToken.None)) is { Done: 1, DeadLettered: 1 });
        clock.Advance(TimeSpan.FromDays(8));

        Assert.Equal(1, await store.DeleteProcessedAsync(clock.GetUtcNow() - TimeSpan.FromDays(7), CancellationToken.None));

        var stats = await store.GetStatsAsync(CancellationToken.None);
        Assert.Equal((0, 1), (stats.Done, stats.DeadLettered));
        // After retention a retry is no longer recognised: stored (and delivered) again.
        using var again = await client.SendAsync(Soap.Post(PushBuilder.NewMail(PushBuilder.SubscriptionId(1), 1)));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        await Eventually.TrueAsync(() => broken.Calls.Count(c => c.SubscriptionId == PushBuilder.SubscriptionId(1)) == 2);
    }
}
