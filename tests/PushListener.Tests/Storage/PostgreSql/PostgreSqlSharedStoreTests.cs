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

    [Fact]
    public async Task ClaimOfAppendedEntries_LooksPendingEntriesUpByThePendingIndex_EvenWhenStatisticsSayNothingIsPending()
    {
        // Statistics gathered while nothing was pending (autovacuum after the dispatchers caught up) record the partial
        // indexes as empty. The claim must still find a subscription's pending entries through the pending index, not by
        // reading the whole of entries_body_live, whose dead entries make that slow under load (migration 0005).
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
            "PREPARE claim_appended(timestamptz, text, integer, timestamptz, bigint[]) AS " + PushListener.Storage.PostgreSql.PostgreSqlEntryLog.ClaimAppendedSql,
        })
        {
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync();
        }

        var plan = new StringBuilder();
        await using (var explain = new NpgsqlCommand("EXPLAIN EXECUTE claim_appended(now(), 'a', 10, now(), ARRAY[1, 2]::bigint[])", connection))
        await using (var reader = await explain.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                plan.AppendLine(reader.GetString(0));
            }
        }

        Assert.DoesNotContain("entries_body_live", plan.ToString(), StringComparison.Ordinal);
        Assert.Contains("entries_pending_subscription", plan.ToString(), StringComparison.Ordinal);
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
