using PushListener.Inbox;
using PushListener.Protocol;

namespace PushListener.Tests.Storage;

/// <summary>The entry log's contract (<see cref="IEntryLog"/>): idempotent appends, claims with leases, per-subscription order.</summary>
public abstract class EntryLogContract : StoreContract
{
    [Fact]
    public async Task Append_NewMessage_IsClaimableWithItsBodyAndTraceParent()
    {
        const string trace = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        var result = await Storage.EntryLog.AppendAsync(PushWithTrace(trace, Message(Sub(1), 1)), CancellationToken.None);

        var claimed = Assert.Single(await ClaimAsync("a"));
        Assert.False(result.Messages[0].IsDuplicate);
        Assert.Equal(result.Messages[0].EntryId, claimed.Id);
        Assert.Equal(EntryKind.Notification, claimed.Kind);
        Assert.Equal(Sub(1), claimed.SubscriptionId);
        Assert.Equal(trace, claimed.TraceParent);
        Assert.Equal("Exchange2013", claimed.RequestServerVersion);
        Assert.Equal(0, claimed.Attempts);
        Assert.Empty(claimed.SucceededHandlers);
        Assert.Equal(Time.GetUtcNow() + TimeSpan.FromSeconds(30), claimed.LeaseExpiresAt);
        Assert.Equal(Sub(1), SendNotificationReader.Read(claimed.Body).Messages[claimed.MessageIndex].SubscriptionId);
    }

    [Fact]
    public async Task Append_SameDedupeKeyTwice_StoresOnceAndReportsTheFirstEntry()
    {
        var first = await AppendOneAsync(Message(Sub(1), 1));
        var second = await AppendOneAsync(Message(Sub(1), 1));

        Assert.True(second.IsDuplicate);
        Assert.Equal(first.EntryId, second.EntryId);
        Assert.Equal(EntryState.Pending, second.State);
        Assert.Single(await ClaimAsync("a"));
    }

    [Fact]
    public async Task Append_RetryOfANotificationAsOldAsTheWindow_IsADuplicateOfTheOriginal()
    {
        // Exchange retries only a subscription's latest push; every store recognises retries among the last RecentWindow.
        var stored = new List<MessageAppendResult>();
        for (var sequence = 1; sequence <= DedupeKey.RecentWindow; sequence++)
        {
            stored.Add(await AppendOneAsync(Message(Sub(1), sequence)));
            await AppendOneAsync(Message(Sub(2), sequence)); // another subscription's pushes in between take no room
        }

        var latest = await AppendOneAsync(Message(Sub(1), DedupeKey.RecentWindow));
        var oldest = await AppendOneAsync(Message(Sub(1), 1));

        Assert.True(latest.IsDuplicate);
        Assert.Equal(stored[^1].EntryId, latest.EntryId);
        Assert.True(oldest.IsDuplicate);
        Assert.Equal(stored[0].EntryId, oldest.EntryId);
        Assert.Equal(2 * DedupeKey.RecentWindow, (await ClaimAsync("a", max: 1000)).Count);
    }

    [Fact]
    public async Task Append_RetryOfAPushWithMoreMessagesOfOneSubscriptionThanTheWindow_IsADuplicateInWhole()
    {
        var messages = Enumerable.Range(1, DedupeKey.RecentWindow + 4).Select(n => Message(Sub(1), n, index: n - 1)).ToArray();
        var first = await Storage.EntryLog.AppendAsync(Push(messages), CancellationToken.None);

        var retry = await Storage.EntryLog.AppendAsync(Push(messages), CancellationToken.None);

        Assert.All(retry.Messages, m => Assert.True(m.IsDuplicate));
        Assert.Equal(first.Messages.Select(m => m.EntryId), retry.Messages.Select(m => m.EntryId));
    }

    [Fact]
    public async Task Append_ErrorPushRetriedAfterManyPushesOfItsSubscription_IsStillADuplicate()
    {
        // Keys without watermarks (body hashes) are recognised however long ago they were stored.
        var error = await AppendOneAsync(ErrorMessage(Sub(1), "ErrorReadEventsFailed"));
        for (var sequence = 1; sequence <= 2 * DedupeKey.RecentWindow; sequence++)
        {
            await AppendOneAsync(Message(Sub(1), sequence));
        }

        var retry = await AppendOneAsync(ErrorMessage(Sub(1), "ErrorReadEventsFailed"));

        Assert.True(retry.IsDuplicate);
        Assert.Equal(error.EntryId, retry.EntryId);
    }

    [Fact]
    public async Task Append_MessagesOfOnePush_AreStoredTogetherAndShareOneBody()
    {
        var result = await Storage.EntryLog.AppendAsync(Push(Message(Sub(1), 1, index: 0), Message(Sub(2), 1, index: 1), Message(Sub(3), 1, index: 2)), CancellationToken.None);

        var claimed = await ClaimAsync("a");
        Assert.Equal(3, result.Messages.Count);
        Assert.Equal(result.Messages.Select(m => m.EntryId), claimed.Select(c => c.Id));
        Assert.Equal([0, 1, 2], claimed.Select(c => c.MessageIndex));
        Assert.Single(claimed.Select(c => c.BodyId).Distinct());
        Assert.All(claimed, c => Assert.True(c.Body.Span.SequenceEqual(claimed[0].Body.Span)));
    }

    [Fact]
    public async Task Append_DuplicateOfCompletedEntry_ReportsTheAnswerItEarned()
    {
        var first = await AppendOneAsync(Message(Sub(1), 1));
        await ClaimAsync("a");
        await Storage.EntryLog.CompleteAsync(first.EntryId, 1, SubscriptionStatus.Unsubscribe, "rule", CancellationToken.None);

        var again = await AppendOneAsync(Message(Sub(1), 1));

        Assert.True(again.IsDuplicate);
        Assert.Equal(EntryState.Done, again.State);
        Assert.Equal(SubscriptionStatus.Unsubscribe, again.StoredVote);
    }

    [Fact]
    public async Task Claim_TwoOwners_NeverGetTheSameEntry()
    {
        for (var n = 0; n < 20; n++)
        {
            await AppendOneAsync(Message(Sub(n), 1));
        }

        var a = await ClaimAsync("a", max: 7);
        var b = await ClaimAsync("b", max: 100);

        Assert.Equal(7, a.Count);
        Assert.Equal(13, b.Count);
        Assert.Empty(a.Select(e => e.Id).Intersect(b.Select(e => e.Id)));
        Assert.Empty(await ClaimAsync("c"));
    }

    [Fact]
    public async Task Claim_SubscriptionEntries_ComeInTheOrderTheyWereStored()
    {
        for (var seq = 1; seq <= 5; seq++)
        {
            await AppendOneAsync(Message(Sub(1), seq));
            await AppendOneAsync(Message(Sub(2), seq));
        }

        var claimed = await ClaimAsync("a");

        Assert.Equal(10, claimed.Count);
        foreach (var subscription in new[] { Sub(1), Sub(2) })
        {
            var ids = claimed.Where(c => c.SubscriptionId == subscription).Select(c => c.Id).ToList();
            Assert.Equal(ids.Order(), ids);
        }
    }

    [Fact]
    public async Task Claim_WhileAnEarlierEntryOfTheSubscriptionIsClaimed_LaterOnesWait()
    {
        var first = await AppendOneAsync(Message(Sub(1), 1));
        Assert.Single(await ClaimAsync("a"));
        var second = await AppendOneAsync(Message(Sub(1), 2));
        await AppendOneAsync(Message(Sub(2), 1));

        var b = await ClaimAsync("b");
        Assert.Equal([Sub(2)], b.Select(e => e.SubscriptionId));

        await Storage.EntryLog.CompleteAsync(first.EntryId, 1, SubscriptionStatus.OK, null, CancellationToken.None);
        var afterCompletion = await ClaimAsync("b");
        Assert.Equal([second.EntryId], afterCompletion.Select(e => e.Id));
    }

    [Fact]
    public async Task Claim_ExpiredLease_IsClaimableAgainByAnotherOwner()
    {
        var entry = await AppendOneAsync(Message(Sub(1), 1));
        await ClaimAsync("a", leaseSeconds: 30);

        Time.Advance(TimeSpan.FromSeconds(29));
        Assert.Empty(await ClaimAsync("b"));

        Time.Advance(TimeSpan.FromSeconds(2));
        var reclaimed = Assert.Single(await ClaimAsync("b"));
        Assert.Equal(entry.EntryId, reclaimed.Id);
    }

    [Fact]
    public async Task Claim_ExpiredLeaseOfAnEarlierEntry_FreesTheSubscriptionsLaterEntries()
    {
        await AppendOneAsync(Message(Sub(1), 1));
        await ClaimAsync("a", leaseSeconds: 30);
        await AppendOneAsync(Message(Sub(1), 2));
        Assert.Empty(await ClaimAsync("b"));

        Time.Advance(TimeSpan.FromSeconds(31));

        Assert.Equal(2, (await ClaimAsync("b")).Count);
    }

    [Fact]
    public async Task RenewLeases_KeepsTheOwnersEntriesFromOthers()
    {
        await AppendOneAsync(Message(Sub(1), 1));
        await ClaimAsync("a", leaseSeconds: 30);

        Time.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(1, await Storage.EntryLog.RenewLeasesAsync("a", TimeSpan.FromSeconds(30), CancellationToken.None));
        Time.Advance(TimeSpan.FromSeconds(20));
        Assert.Empty(await ClaimAsync("b"));

        Time.Advance(TimeSpan.FromSeconds(11));
        Assert.Single(await ClaimAsync("b"));
    }

    [Fact]
    public async Task ReleaseLeases_MakesTheEntriesClaimableAtOnce()
    {
        await AppendOneAsync(Message(Sub(1), 1));
        await AppendOneAsync(Message(Sub(2), 1));
        await ClaimAsync("a");

        Assert.Equal(2, await Storage.EntryLog.ReleaseLeasesAsync("a", CancellationToken.None));

        Assert.Equal(2, (await ClaimAsync("b")).Count);
    }

    [Fact]
    public async Task Complete_EntryIsNotClaimedAgain()
    {
        var entry = await AppendOneAsync(Message(Sub(1), 1));
        await ClaimAsync("a", leaseSeconds: 30);
        await Storage.EntryLog.CompleteAsync(entry.EntryId, 1, SubscriptionStatus.OK, null, CancellationToken.None);

        Time.Advance(TimeSpan.FromMinutes(5));

        Assert.Empty(await ClaimAsync("b"));
        var stats = await Storage.EntryLog.GetStatsAsync(CancellationToken.None);
        Assert.Equal((0, 0, 0, 1), (stats.Pending, stats.InFlight, stats.DeadLettered, stats.Done));
    }

    [Fact]
    public async Task RecordAttempt_SucceededHandlersAndAttemptsComeBackWithTheNextClaim()
    {
        var entry = await AppendOneAsync(Message(Sub(1), 1));
        await ClaimAsync("a");
        await Storage.EntryLog.RecordAttemptAsync(entry.EntryId, 1, [new("log", true, null), new("webhook", false, "503")], CancellationToken.None);
        await Storage.EntryLog.ReleaseLeasesAsync("a", CancellationToken.None);

        var again = Assert.Single(await ClaimAsync("b"));

        Assert.Equal(1, again.Attempts);
        Assert.Equal(["log"], again.SucceededHandlers);
        var stats = await Storage.EntryLog.GetStatsAsync(CancellationToken.None);
        var webhook = Assert.Single(stats.Handlers);
        Assert.Equal(("webhook", 1L, "503"), (webhook.Handler, webhook.Failures, webhook.LastError));
    }

    [Fact]
    public async Task GetStats_CountsPendingInFlightDeadLetteredAndTheOldestPending()
    {
        var oldest = Time.GetUtcNow();
        var dead = await AppendOneAsync(Message(Sub(1), 1));
        Time.Advance(TimeSpan.FromSeconds(1));
        await AppendOneAsync(Message(Sub(2), 1));
        Time.Advance(TimeSpan.FromSeconds(1));
        await ClaimAsync("a", max: 2);
        await Storage.EntryLog.DeadLetterAsync(dead.EntryId, 5, "boom", CancellationToken.None);
        await AppendOneAsync(Message(Sub(3), 1));
        await AppendOneAsync(Message(Sub(4), 1));

        var stats = await Storage.EntryLog.GetStatsAsync(CancellationToken.None);

        Assert.Equal((2L, 1L, 1L, 0L), (stats.Pending, stats.InFlight, stats.DeadLettered, stats.Done));
        Assert.Equal(oldest + TimeSpan.FromSeconds(1), stats.OldestPendingReceivedAt);
    }

    [Fact]
    public async Task GetStats_EmptyLog_HasNoOldestPending()
    {
        var stats = await Storage.EntryLog.GetStatsAsync(CancellationToken.None);

        Assert.Equal((0L, 0L, 0L), (stats.Pending, stats.InFlight, stats.DeadLettered));
        Assert.Null(stats.OldestPendingReceivedAt);
    }

    [Fact]
    public async Task Probe_OnAWorkingStore_Completes()
    {
        await Storage.EntryLog.ProbeAsync(0, CancellationToken.None);
        Assert.Equal(0, (await Storage.EntryLog.GetStatsAsync(CancellationToken.None)).Pending);
    }

    [Fact]
    public async Task Probe_WithAPayload_CompletesAndLeavesTheLogUnchanged()
    {
        await Storage.EntryLog.ProbeAsync(256 * 1024, CancellationToken.None);
        await Storage.EntryLog.ProbeAsync(0, CancellationToken.None);
        var stats = await Storage.EntryLog.GetStatsAsync(CancellationToken.None);
        Assert.Equal((0L, 0L, 0L, 0L), (stats.Pending, stats.InFlight, stats.DeadLettered, stats.Done));
    }

    [Fact]
    public async Task DeleteProcessed_RemovesOnlyDoneEntriesReceivedBeforeTheCutoff()
    {
        var done = await AppendOneAsync(Message(Sub(1), 1));
        await AppendOneAsync(Message(Sub(2), 1));
        await ClaimAsync("a", max: 1);
        await Storage.EntryLog.CompleteAsync(done.EntryId, 1, SubscriptionStatus.OK, null, CancellationToken.None);
        Time.Advance(TimeSpan.FromHours(1));
        var recent = await AppendOneAsync(Message(Sub(3), 1));
        await Storage.EntryLog.CompleteAsync(recent.EntryId, 1, SubscriptionStatus.OK, null, CancellationToken.None);

        var deleted = await Storage.EntryLog.DeleteProcessedAsync(Time.GetUtcNow() - TimeSpan.FromMinutes(30), CancellationToken.None);

        Assert.Equal(1, deleted);
        var stats = await Storage.EntryLog.GetStatsAsync(CancellationToken.None);
        Assert.Equal((1L, 1L), (stats.Pending, stats.Done));
        Assert.True((await AppendOneAsync(Message(Sub(3), 1))).IsDuplicate);
        Assert.False((await AppendOneAsync(Message(Sub(1), 1))).IsDuplicate);
    }

    [Fact]
    public async Task Append_BrokenWatermarkChain_AddsAGapEventAheadOfTheNotification()
    {
        await AppendOneAsync(Message(Sub(1), 1));
        var completed = await ClaimAsync("a");
        await Storage.EntryLog.CompleteAsync(completed[0].Id, 1, SubscriptionStatus.OK, null, CancellationToken.None);

        var result = await AppendOneAsync(Message(Sub(1), 5));

        Assert.Equal(1, result.LifecycleEvents);
        var claimed = await ClaimAsync("a");
        Assert.Equal([EntryKind.Lifecycle, EntryKind.Notification], claimed.Select(c => c.Kind));
        var lifecycle = PushListener.Subscriptions.LifecycleSerializer.Deserialize(claimed[0].Body.ToArray());
        Assert.Equal(LifecycleKind.GapDetected, lifecycle.Kind);
        Assert.Equal(Sub(1), lifecycle.SubscriptionId);
        Assert.Null(claimed[0].BodyId);
    }
}
