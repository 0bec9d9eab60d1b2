using System.Collections.Concurrent;
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
}
