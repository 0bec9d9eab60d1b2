using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Npgsql;
using PushListener.Inbox;
using PushListener.Tests.Infrastructure;

namespace PushListener.Tests.Storage.PostgreSql;

/// <summary>Two instances' stores on one database: what no single-store contract can show.</summary>
public sealed class PostgreSqlSharedStoreTests(PostgreSqlServer server) : StoreContract, IClassFixture<PostgreSqlServer>
{
    private readonly PostgreSqlStorageTarget _target = new(server);

    private protected override IStorageTarget Target => _target;

    [Fact]
    public async Task SamePushOnTwoInstancesAtOnce_IsStoredOnce_AndCountedOnceInTheRegistry()
    {
        await using var other = await PostgreSqlStorageTarget.OpenAsync(_target.ConnectionString!, Time);
        for (var seq = 1; seq <= 20; seq++)
        {
            var push = Push(Message(Sub(1), seq));
            var results = await Task.WhenAll(
                Task.Run(() => Storage.EntryLog.AppendAsync(push, CancellationToken.None).AsTask()),
                Task.Run(() => other.EntryLog.AppendAsync(push, CancellationToken.None).AsTask()));

            Assert.Single(results, r => !r.Messages[0].IsDuplicate);
            Assert.Equal(results[0].Messages[0].EntryId, results[1].Messages[0].EntryId);
        }

        var record = await other.Subscriptions.GetAsync(Sub(1), CancellationToken.None);
        Assert.Equal((20L, 0L), (record!.Notifications, record.Gaps));
        Assert.Equal(20L, (await Storage.EntryLog.GetStatsAsync(CancellationToken.None)).Pending);
    }

    [Fact]
    public async Task ChainedPushesAlternatingBetweenInstances_RaiseNoGap()
    {
        await using var other = await PostgreSqlStorageTarget.OpenAsync(_target.ConnectionString!, Time);
        for (var seq = 1; seq <= 10; seq++)
        {
            var store = seq % 2 == 0 ? other : Storage;
            var result = await store.EntryLog.AppendAsync(Push(Message(Sub(1), seq)), CancellationToken.None);
            Assert.Equal(0, result.Messages[0].LifecycleEvents);
        }

        // A retry of push 9 reaching the other instance is a duplicate.
        var retry = await other.EntryLog.AppendAsync(Push(Message(Sub(1), 9)), CancellationToken.None);
        Assert.True(retry.Messages[0].IsDuplicate);
        var record = await Storage.Subscriptions.GetAsync(Sub(1), CancellationToken.None);
        Assert.Equal((10L, 0L), (record!.Notifications, record.Gaps));
    }

    [Fact]
    public async Task TwoInstancesClaimingAtOnce_NeverHoldOneSubscriptionTogether_AndKeepItsOrder()
    {
        await using var other = await PostgreSqlStorageTarget.OpenAsync(_target.ConnectionString!, Time);
        const int subscriptions = 12;
        const int perSubscription = 15;
        for (var seq = 1; seq <= perSubscription; seq++)
        {
            for (var n = 0; n < subscriptions; n++)
            {
                await ((seq + n) % 2 == 0 ? other : Storage).EntryLog.AppendAsync(Push(Message(Sub(n), seq)), CancellationToken.None);
            }
        }

        var held = new Dictionary<string, string>(StringComparer.Ordinal);
        var processed = new ConcurrentDictionary<string, ConcurrentQueue<long>>(StringComparer.Ordinal);
        var violations = new ConcurrentQueue<string>();
        var done = 0;

        async Task RunAsync(StorageUnderTest store, string owner)
        {
            while (Volatile.Read(ref done) < subscriptions * perSubscription)
            {
                var claimed = await store.EntryLog.ClaimAsync(owner, 7, TimeSpan.FromMinutes(5), CancellationToken.None);
                var subs = claimed.Select(c => c.SubscriptionId!).Distinct(StringComparer.Ordinal).ToList();
                lock (held)
                {
                    foreach (var sub in subs)
                    {
                        if (!held.TryAdd(sub, owner))
                        {
                            violations.Enqueue($"{sub} claimed by {owner} while {held[sub]} holds it");
                        }
                    }
                }

                foreach (var entry in claimed)
                {
                    processed.GetOrAdd(entry.SubscriptionId!, _ => new ConcurrentQueue<long>()).Enqueue(entry.Id);
                }

                lock (held)
                {
                    foreach (var sub in subs)
                    {
                        held.Remove(sub);
                    }
                }

                foreach (var entry in claimed)
                {
                    await store.EntryLog.CompleteAsync(entry.Id, 1, SubscriptionStatus.OK, null, CancellationToken.None);
                    Interlocked.Increment(ref done);
                }
            }
        }

        await Task.WhenAll(Task.Run(() => RunAsync(Storage, "a")), Task.Run(() => RunAsync(other, "b"))).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Empty(violations);
        Assert.Equal(subscriptions, processed.Count);
        Assert.All(processed.Values, ids =>
        {
            Assert.Equal(perSubscription, ids.Count);
            Assert.Equal(ids.Order(), ids);
        });
    }

    [Fact]
    public async Task EntryOfAnotherInstance_PassedOverBehindAHeldEntry_IsClaimedOnceThatEntryCompletes_WithoutTheClockMoving()
    {
        await using var other = await PostgreSqlStorageTarget.OpenAsync(_target.ConnectionString!, Time);
        await AppendOneAsync(Message(Sub(1), 1));
        var first = Assert.Single(await ClaimAsync("a"));
        var behind = await other.EntryLog.AppendAsync(Push(Message(Sub(1), 2)), CancellationToken.None);

        // This instance searches the whole log (its interval passed) while it holds the subscription's first entry: the
        // other instance's entry waits behind it.
        Time.Advance(PostgreSqlEntryLogSearchInterval);
        Assert.Empty(await ClaimAsync("a"));

        await Storage.EntryLog.CompleteAsync(first.Id, 1, SubscriptionStatus.OK, null, CancellationToken.None);

        // The clock stands still: the completion itself must lead the next claim to the entry passed over.
        var next = Assert.Single(await ClaimAsync("a"));
        Assert.Equal(behind.Messages[0].EntryId, next.Id);
    }

    // Pre-claimed appends: entries this instance's dispatcher can run at once are inserted leased to it.

    [Fact]
    public async Task PreClaim_EntryAppendedWhileAnEarlierEntryIsLeasedByAnotherInstance_IsNotPreClaimed_AndRunsAfterIt()
    {
        await using var other = await PostgreSqlStorageTarget.OpenAsync(_target.ConnectionString!, Time);
        var first = await other.EntryLog.AppendAsync(Push(Message(Sub(1), 1)), CancellationToken.None);
        Assert.Single(await other.EntryLog.ClaimAsync("b", 10, TimeSpan.FromSeconds(30), CancellationToken.None));

        Storage.EntryLog.LeaseAppendsTo("a", TimeSpan.FromSeconds(30));
        var behind = await AppendOneAsync(Message(Sub(1), 2));
        var free = await AppendOneAsync(Message(Sub(2), 1));

        Assert.Null(await LeaseOwnerAsync(behind.EntryId));
        Assert.Equal("a", await LeaseOwnerAsync(free.EntryId));
        Assert.Equal([free.EntryId], (await ClaimAsync("a")).Select(e => e.Id));

        // Only once the other instance's entry completes does the one behind it run, here.
        await other.EntryLog.CompleteAsync(first.Messages[0].EntryId, 1, SubscriptionStatus.OK, null, CancellationToken.None);
        Assert.Equal([behind.EntryId], (await ClaimAsync("a")).Select(e => e.Id));
    }

    [Fact]
    public async Task PreClaim_EntryBehindOneThisInstanceHolds_IsPreClaimed_AndHandedOutAfterIt()
    {
        Storage.EntryLog.LeaseAppendsTo("a", TimeSpan.FromSeconds(30));
        var first = await AppendOneAsync(Message(Sub(1), 1));
        Assert.Equal([first.EntryId], (await ClaimAsync("a")).Select(e => e.Id));

        var second = await AppendOneAsync(Message(Sub(1), 2));
        var third = await AppendOneAsync(Message(Sub(1), 3));

        Assert.Equal("a", await LeaseOwnerAsync(second.EntryId));
        Assert.Equal([second.EntryId, third.EntryId], (await ClaimAsync("a")).Select(e => e.Id));
    }

    [Fact]
    public async Task PreClaim_OfAnInstanceThatDied_IsTakenOverOnceTheLeaseRunsOut_InOrder()
    {
        await using var other = await PostgreSqlStorageTarget.OpenAsync(_target.ConnectionString!, Time);
        Storage.EntryLog.LeaseAppendsTo("a", TimeSpan.FromSeconds(30));
        var first = await AppendOneAsync(Message(Sub(1), 1));
        var second = await AppendOneAsync(Message(Sub(1), 2));

        // "a" never claims (it died): its pre-claimed entries are nobody else's until the lease runs out.
        Assert.Empty(await other.EntryLog.ClaimAsync("b", 10, TimeSpan.FromSeconds(30), CancellationToken.None));
        Time.Advance(TimeSpan.FromSeconds(31));
        var taken = await other.EntryLog.ClaimAsync("b", 10, TimeSpan.FromSeconds(30), CancellationToken.None);

        Assert.Equal([first.EntryId, second.EntryId], taken.Select(e => e.Id));
        Assert.Empty(await ClaimAsync("a")); // its lease ran out here too: not handed out twice
    }

    [Fact]
    public async Task PreClaim_IsRenewedWithTheOwnersLeases()
    {
        await using var other = await PostgreSqlStorageTarget.OpenAsync(_target.ConnectionString!, Time);
        Storage.EntryLog.LeaseAppendsTo("a", TimeSpan.FromSeconds(30));
        var entry = await AppendOneAsync(Message(Sub(1), 1));

        Time.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(1, await Storage.EntryLog.RenewLeasesAsync("a", TimeSpan.FromSeconds(30), CancellationToken.None));
        Time.Advance(TimeSpan.FromSeconds(20)); // past the append's lease, inside the renewed one

        Assert.Empty(await other.EntryLog.ClaimAsync("b", 10, TimeSpan.FromSeconds(30), CancellationToken.None));
        Assert.Equal([entry.EntryId], (await ClaimAsync("a")).Select(e => e.Id));
    }

    [Fact]
    public async Task PreClaim_ReleasingTheLeases_ReleasesThePreClaimedEntries_AndStopsPreClaiming()
    {
        await using var other = await PostgreSqlStorageTarget.OpenAsync(_target.ConnectionString!, Time);
        Storage.EntryLog.LeaseAppendsTo("a", TimeSpan.FromSeconds(30));
        var before = await AppendOneAsync(Message(Sub(1), 1));

        Assert.Equal(1, await Storage.EntryLog.ReleaseLeasesAsync("a", CancellationToken.None));
        var after = await AppendOneAsync(Message(Sub(2), 1));

        Assert.Null(await LeaseOwnerAsync(after.EntryId));
        var taken = await other.EntryLog.ClaimAsync("b", 10, TimeSpan.FromSeconds(30), CancellationToken.None);
        Assert.Equal([before.EntryId, after.EntryId], taken.Select(e => e.Id));
    }

    [Fact]
    public async Task Completion_WithAnotherInstancesEntryWaitingBehindIt_NotifiesTheOtherInstances_AndOnlyThen()
    {
        await using var other = await PostgreSqlStorageTarget.OpenAsync(_target.ConnectionString!, Time);
        await using var listener = new NpgsqlConnection(_target.ConnectionString);
        await listener.OpenAsync();
        var heard = new ConcurrentQueue<string>();
        listener.Notification += (_, e) => heard.Enqueue(e.Channel);
        await using (var listen = new NpgsqlCommand($"LISTEN {PushListener.Storage.PostgreSql.PostgreSqlChannels.Entries}; LISTEN test_marker", listener))
        {
            await listen.ExecuteNonQueryAsync();
        }

        Storage.EntryLog.LeaseAppendsTo("a", TimeSpan.FromSeconds(30));
        var alone = await AppendOneAsync(Message(Sub(1), 1));
        var held = await AppendOneAsync(Message(Sub(2), 1));
        Assert.Equal([alone.EntryId, held.EntryId], (await ClaimAsync("a")).Select(e => e.Id));
        var waiting = await other.EntryLog.AppendAsync(Push(Message(Sub(2), 2)), CancellationToken.None);
        Assert.Null(await LeaseOwnerAsync(waiting.Messages[0].EntryId));

        // Nothing waits behind the first: no NOTIFY. Something does behind the second: one, with the completion's commit.
        await Storage.EntryLog.CompleteAsync(alone.EntryId, 1, SubscriptionStatus.OK, null, CancellationToken.None);
        await Storage.EntryLog.CompleteAsync(held.EntryId, 1, SubscriptionStatus.OK, null, CancellationToken.None);
        await using (var marker = new NpgsqlConnection(_target.ConnectionString))
        {
            // Notifications arrive in commit order: once the marker is heard, everything the completions sent was.
            await marker.OpenAsync();
            await using var notify = new NpgsqlCommand("NOTIFY test_marker", marker);
            await notify.ExecuteNonQueryAsync();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!heard.Contains("test_marker"))
        {
            await listener.WaitAsync(timeout.Token);
        }

        Assert.Equal([PushListener.Storage.PostgreSql.PostgreSqlChannels.Entries, "test_marker"], heard);
    }

    [Fact]
    public async Task PendingLookUpOfASubscription_UsesThePendingIndexCondition_EvenWhenStatisticsSayNothingIsPending()
    {
        // Statistics gathered while nothing was pending (autovacuum after the dispatchers caught up) record the partial
        // indexes as empty; the planner must still look a subscription up by the pending index's condition, not read a
        // whole index whose dead entries make that slow under load (migration 0005).
        await using var connection = new NpgsqlConnection(_target.ConnectionString);
        await connection.OpenAsync();
        foreach (var sql in new[]
        {
            """
            INSERT INTO entries (kind, dedupe_hash, dedupe_key, subscription_id, message_index, received_at, state, body_id)
            SELECT 0, sha256(convert_to('k' || i, 'UTF8')), 'k' || i, 's' || (i % 200), 0, now(), 1, i FROM generate_series(1, 20000) AS i
            """,
            "VACUUM ANALYZE entries",
            "SET plan_cache_mode = force_generic_plan",
            "PREPARE must_wait(text[], text, timestamptz) AS " + PushListener.Storage.PostgreSql.PostgreSqlPushAppender.MustWaitSql,
        })
        {
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync();
        }

        var plan = new StringBuilder();
        await using (var explain = new NpgsqlCommand("EXPLAIN EXECUTE must_wait(ARRAY['s1', 's2'], 'a', now())", connection))
        await using (var reader = await explain.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                plan.AppendLine(reader.GetString(0));
            }
        }

        Assert.Contains("entries_pending_subscription", plan.ToString(), StringComparison.Ordinal);
        Assert.Contains("Index Cond: (subscription_id = ANY", plan.ToString(), StringComparison.Ordinal);
    }

    private async Task<string?> LeaseOwnerAsync(long entryId)
    {
        await using var connection = new NpgsqlConnection(_target.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT lease_owner FROM entries WHERE id = $1", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = entryId });
        return await command.ExecuteScalarAsync() as string;
    }

    private static TimeSpan PostgreSqlEntryLogSearchInterval => PushListener.Storage.PostgreSql.PostgreSqlEntryLog.SearchInterval;

    [Fact]
    public async Task PushWhoseMessagesAllTurnOutConcurrentDuplicates_WithoutSubscription_LeavesNoBodyBehind()
    {
        // Messages without a subscription id take no lock: another instance can store the same message between this
        // append's dedupe read and its insert. Hold that other instance's insert open, uncommitted, to make the race certain.
        const string Key = "h:no-subscription-1";
        await using var rival = new NpgsqlConnection(_target.ConnectionString);
        await rival.OpenAsync();
        await using var observer = new NpgsqlConnection(_target.ConnectionString); // outside the transaction: activity is read afresh
        await observer.OpenAsync();
        await using var transaction = await rival.BeginTransactionAsync();
        await using (var insert = new NpgsqlCommand("INSERT INTO entries (kind, dedupe_hash, dedupe_key, message_index, received_at) VALUES (0, $1, $2, 0, now()) RETURNING id", rival, transaction))
        {
            insert.Parameters.Add(new NpgsqlParameter { Value = SHA256.HashData(Encoding.UTF8.GetBytes(Key)) });
            insert.Parameters.Add(new NpgsqlParameter { Value = Key });
            var rivalId = (long)(await insert.ExecuteScalarAsync())!;

            var append = Storage.EntryLog.AppendAsync(Push(new MessageAppend(Key, null, 0, null)), CancellationToken.None).AsTask();
            await Eventually.TrueAsync(() => IsWaitingOnALockAsync(observer), TimeSpan.FromSeconds(30)); // its insert waits for ours
            await transaction.CommitAsync();
            var result = await append.WaitAsync(TimeSpan.FromSeconds(30));

            Assert.True(result.Messages[0].IsDuplicate);
            Assert.Equal(rivalId, result.Messages[0].EntryId);
        }

        await using var orphans = new NpgsqlCommand("SELECT count(*) FROM bodies b WHERE NOT EXISTS (SELECT 1 FROM entries e WHERE e.body_id = b.id)", rival);
        Assert.Equal(0L, (long)(await orphans.ExecuteScalarAsync())!);
    }

    private static async Task<bool> IsWaitingOnALockAsync(NpgsqlConnection observer)
    {
        await using var command = new NpgsqlCommand(
            "SELECT EXISTS (SELECT 1 FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE NOT l.granted AND a.datname = current_database())",
            observer);
        return (bool)(await command.ExecuteScalarAsync())!;
    }
}
