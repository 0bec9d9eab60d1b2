using PushListener.Inbox;
using PushListener.Subscriptions;
using PushListener.Tests.Infrastructure;

namespace PushListener.Tests.Storage;

/// <summary>The registry's contract (<see cref="ISubscriptionRegistry"/>): what pushes record, and the decisions of <see cref="SubscriptionRules"/> persisted.</summary>
public abstract class SubscriptionRegistryContract : StoreContract
{
    [Fact]
    public async Task Append_RecordsTheSubscriptionWithItsWatermarksAndCounts()
    {
        var first = Time.GetUtcNow();
        await AppendOneAsync(Message(Sub(1), 1, registration: "sales"));
        Time.Advance(TimeSpan.FromSeconds(5));
        await AppendOneAsync(Message(Sub(1), 2));

        var record = await Storage.Subscriptions.GetAsync(Sub(1), CancellationToken.None);

        Assert.NotNull(record);
        Assert.Equal(SubscriptionState.Active, record.State);
        Assert.Equal("sales", record.Registration);
        Assert.Equal(first, record.FirstSeen);
        Assert.Equal(first + TimeSpan.FromSeconds(5), record.LastSeen);
        Assert.Equal(PushBuilder.Watermark(Sub(1), 2), record.LastWatermark);
        Assert.Equal(PushBuilder.Watermark(Sub(1), 1), record.LastPreviousWatermark);
        Assert.Equal(2, record.Notifications);
        Assert.Equal(0, record.Gaps);
        Assert.Equal(2, record.EventCounts[nameof(EventKind.NewMail)]);
    }

    [Fact]
    public async Task Append_Duplicate_ChangesNothingInTheRegistry()
    {
        await AppendOneAsync(Message(Sub(1), 1));
        await AppendOneAsync(Message(Sub(1), 2));
        await AppendOneAsync(Message(Sub(1), 1));

        var record = await Storage.Subscriptions.GetAsync(Sub(1), CancellationToken.None);

        Assert.Equal(2, record!.Notifications);
        Assert.Equal(0, record.Gaps);
        Assert.Equal(PushBuilder.Watermark(Sub(1), 2), record.LastWatermark);
    }

    [Fact]
    public async Task Append_ErrorPush_MarksTheSubscriptionFailed()
    {
        await AppendOneAsync(Message(Sub(1), 1));

        var result = await AppendOneAsync(ErrorMessage(Sub(1), "ErrorSubscriptionNotFound"));

        Assert.Equal(1, result.LifecycleEvents);
        var record = await Storage.Subscriptions.GetAsync(Sub(1), CancellationToken.None);
        Assert.Equal(SubscriptionState.Failed, record!.State);
        Assert.Contains("ErrorSubscriptionNotFound", record.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MarkUnsubscribe_NextPushIsAnsweredUnsubscribe()
    {
        await AppendOneAsync(Message(Sub(1), 1));

        Assert.True(await Storage.Subscriptions.MarkUnsubscribeAsync(Sub(1), CancellationToken.None));
        Assert.Equal(SubscriptionState.Unsubscribing, (await Storage.Subscriptions.GetAsync(Sub(1), CancellationToken.None))!.State);
        var next = await AppendOneAsync(Message(Sub(1), 2));

        Assert.True(next.Unsubscribe);
        Assert.Equal(SubscriptionState.Unsubscribed, (await Storage.Subscriptions.GetAsync(Sub(1), CancellationToken.None))!.State);
    }

    [Fact]
    public async Task MarkUnsubscribe_UnknownSubscription_IsFalse()
    {
        Assert.False(await Storage.Subscriptions.MarkUnsubscribeAsync(Sub(9), CancellationToken.None));
    }

    [Fact]
    public async Task RecordRefused_ListsTheSubscriptionAsUnsubscribed()
    {
        await Storage.Subscriptions.RecordRefusedAsync(Sub(1), "Exchange2013", Time.GetUtcNow(), CancellationToken.None);

        var refused = Assert.Single(await Storage.Subscriptions.ListAsync(SubscriptionState.Unsubscribed, 10, CancellationToken.None));
        Assert.Equal(Sub(1), refused.SubscriptionId);
        Assert.Equal(0, (await Storage.EntryLog.GetStatsAsync(CancellationToken.None)).Pending);
    }

    [Fact]
    public async Task List_FiltersByStateAndPutsTheMostRecentlySeenFirst()
    {
        await AppendOneAsync(Message(Sub(1), 1));
        Time.Advance(TimeSpan.FromSeconds(1));
        await AppendOneAsync(Message(Sub(2), 1));
        Time.Advance(TimeSpan.FromSeconds(1));
        await AppendOneAsync(ErrorMessage(Sub(3), "ErrorSubscriptionNotFound"));

        var all = await Storage.Subscriptions.ListAsync(null, 10, CancellationToken.None);
        var active = await Storage.Subscriptions.ListAsync(SubscriptionState.Active, 10, CancellationToken.None);

        Assert.Equal([Sub(3), Sub(2), Sub(1)], all.Select(r => r.SubscriptionId));
        Assert.Equal([Sub(2), Sub(1)], active.Select(r => r.SubscriptionId));
        Assert.Single(await Storage.Subscriptions.ListAsync(null, 1, CancellationToken.None));
    }

    [Fact]
    public async Task CountByState_CountsEveryStateWithZeroForThoseWithoutSubscriptions()
    {
        Assert.All(await Storage.Subscriptions.CountByStateAsync(CancellationToken.None), c => Assert.Equal(0, c.Value));
        await AppendOneAsync(Message(Sub(1), 1));
        await AppendOneAsync(Message(Sub(2), 1));
        await AppendOneAsync(Message(Sub(3), 1));
        await AppendOneAsync(ErrorMessage(Sub(4), "ErrorSubscriptionNotFound"));
        await Storage.Subscriptions.MarkUnsubscribeAsync(Sub(3), CancellationToken.None);
        await Storage.Subscriptions.RecordRefusedAsync(Sub(5), "Exchange2013", Time.GetUtcNow(), CancellationToken.None);
        await Storage.Subscriptions.RecordRefusedAsync(Sub(6), "Exchange2013", Time.GetUtcNow(), CancellationToken.None);

        var counts = await Storage.Subscriptions.CountByStateAsync(CancellationToken.None);

        Assert.Equal(Enum.GetValues<SubscriptionState>().Order(), counts.Keys.Order());
        Assert.Equal(2, counts[SubscriptionState.Active]);
        Assert.Equal(0, counts[SubscriptionState.Silent]);
        Assert.Equal(1, counts[SubscriptionState.Failed]);
        Assert.Equal(1, counts[SubscriptionState.Unsubscribing]);
        Assert.Equal(2, counts[SubscriptionState.Unsubscribed]);
        foreach (var (state, count) in counts)
        {
            Assert.Equal(count, (await Storage.Subscriptions.ListAsync(state, 100, CancellationToken.None)).Count);
        }
    }

    [Fact]
    public async Task DetectSilent_AfterTwiceTheRegisteredInterval_MarksSilentOnceWithALifecycleEntry()
    {
        await AppendOneAsync(Message(Sub(1), 1, registeredInterval: TimeSpan.FromMinutes(1)));
        await AppendOneAsync(Message(Sub(2), 1));
        var claimed = await ClaimAsync("a");
        foreach (var entry in claimed)
        {
            await Storage.EntryLog.CompleteAsync(entry.Id, 1, SubscriptionStatus.OK, null, CancellationToken.None);
        }

        Time.Advance(TimeSpan.FromSeconds(119));
        Assert.Empty(await Storage.Subscriptions.DetectSilentAsync(Time.GetUtcNow(), CancellationToken.None));
        Time.Advance(TimeSpan.FromSeconds(2));
        var silent = Assert.Single(await Storage.Subscriptions.DetectSilentAsync(Time.GetUtcNow(), CancellationToken.None));
        Assert.Empty(await Storage.Subscriptions.DetectSilentAsync(Time.GetUtcNow(), CancellationToken.None));

        Assert.Equal((LifecycleKind.Silent, Sub(1)), (silent.Kind, silent.SubscriptionId));
        Assert.Equal(SubscriptionState.Silent, (await Storage.Subscriptions.GetAsync(Sub(1), CancellationToken.None))!.State);
        var lifecycle = Assert.Single(await ClaimAsync("a"));
        Assert.Equal((EntryKind.Lifecycle, Sub(1)), (lifecycle.Kind, lifecycle.SubscriptionId));
    }

    [Fact]
    public async Task Append_AfterSilence_RaisesResumedAndMakesTheSubscriptionActive()
    {
        await AppendOneAsync(Message(Sub(1), 1, registeredInterval: TimeSpan.FromMinutes(1)));
        Time.Advance(TimeSpan.FromMinutes(3));
        await Storage.Subscriptions.DetectSilentAsync(Time.GetUtcNow(), CancellationToken.None);

        var result = await AppendOneAsync(Message(Sub(1), 2));

        Assert.Equal(1, result.LifecycleEvents);
        Assert.Equal(SubscriptionState.Active, (await Storage.Subscriptions.GetAsync(Sub(1), CancellationToken.None))!.State);
    }

    [Fact]
    public async Task Append_TwoHeartbeatsInARow_TeachTheExpectedInterval()
    {
        await AppendOneAsync(Message(Sub(1), 1, heartbeat: true));
        Time.Advance(TimeSpan.FromMinutes(5));
        await AppendOneAsync(Message(Sub(1), 2, heartbeat: true));

        var record = await Storage.Subscriptions.GetAsync(Sub(1), CancellationToken.None);

        Assert.Equal(300, record!.ExpectedIntervalSeconds);
        Assert.Equal("learned", record.ExpectedIntervalSource);
    }
}
