using System.Text;
using PushListener.Feeds;
using PushListener.Inbox;
using PushListener.Storage.PostgreSql;
using PushListener.Tests.Infrastructure;

namespace PushListener.Tests.Storage.PostgreSql;

/// <summary>
/// Retention, the dead letters' purge and feeds' tombstone cleanup delete in bounded transactions (a backlog of millions in one statement would
/// outlast CommandTimeout every round): across batches they still leave exactly the right entries and bodies.
/// </summary>
public sealed class PostgreSqlBatchedDeleteTests(PostgreSqlServer server) : StoreContract, IClassFixture<PostgreSqlServer>
{
    private const int BatchSize = 3;
    private readonly PostgreSqlStorageTarget _target = new(server);

    private protected override IStorageTarget Target => _target;

    private string Connection => _target.ConnectionString!;

    [Fact(Timeout = 60_000)]
    public async Task DeleteProcessed_MoreThanOneBatch_RemovesEveryOldDoneEntryAndOnlyTheBodiesNothingNeeds()
    {
        ((PostgreSqlEntryLog)Storage.EntryLog).DeleteBatchSize = BatchSize;
        // Seven old pushes of two messages each (two entries sharing a body): batches of three split pushes. The last
        // push's second entry stays pending, so its body must stay.
        var pending = 0L;
        for (var push = 0; push < 7; push++)
        {
            var result = await Storage.EntryLog.AppendAsync(Push(Message(Sub(2 * push), 1, 0), Message(Sub((2 * push) + 1), 1, 1)), CancellationToken.None);
            await CompleteAsync(result.Messages[0].EntryId);
            if (push < 6)
            {
                await CompleteAsync(result.Messages[1].EntryId);
            }
            else
            {
                pending = result.Messages[1].EntryId;
            }
        }

        Time.Advance(TimeSpan.FromHours(1));
        var recent = await Storage.EntryLog.AppendAsync(Push(Message(Sub(100), 1)), CancellationToken.None);
        await CompleteAsync(recent.Messages[0].EntryId);

        var deleted = await Storage.EntryLog.DeleteProcessedAsync(Time.GetUtcNow() - TimeSpan.FromMinutes(30), CancellationToken.None);

        Assert.Equal(13, deleted);
        Assert.Equal($"{pending}:0,{recent.Messages[0].EntryId}:1", await PostgreSqlTestDatabase.ScalarAsync<string>(Connection, "SELECT string_agg(id || ':' || state, ',' ORDER BY id) FROM entries"));
        Assert.Equal(2L, await PostgreSqlTestDatabase.ScalarAsync<long>(Connection, "SELECT count(*) FROM bodies"));
        Assert.Equal(0L, await PostgreSqlTestDatabase.ScalarAsync<long>(Connection, "SELECT count(*) FROM entries e WHERE NOT EXISTS (SELECT 1 FROM bodies b WHERE b.id = e.body_id)"));
        Assert.Equal(0L, await PostgreSqlTestDatabase.ScalarAsync<long>(Connection, "SELECT count(*) FROM deliveries d WHERE NOT EXISTS (SELECT 1 FROM entries e WHERE e.id = d.entry_id)"));
        var claimed = Assert.Single(await ClaimAsync("a"));
        Assert.Equal(pending, claimed.Id);
        Assert.False(claimed.Body.IsEmpty);
    }

    [Fact(Timeout = 60_000)]
    public async Task DeleteProcessed_ExactMultipleOfTheBatch_DeletesThemAll()
    {
        ((PostgreSqlEntryLog)Storage.EntryLog).DeleteBatchSize = BatchSize;
        for (var n = 0; n < 2 * BatchSize; n++)
        {
            await CompleteAsync((await AppendOneAsync(Message(Sub(n), 1))).EntryId);
        }

        Time.Advance(TimeSpan.FromHours(1));

        Assert.Equal(2 * BatchSize, await Storage.EntryLog.DeleteProcessedAsync(Time.GetUtcNow(), CancellationToken.None));
        Assert.Equal(0L, await PostgreSqlTestDatabase.ScalarAsync<long>(Connection, "SELECT count(*) FROM entries"));
        Assert.Equal(0L, await PostgreSqlTestDatabase.ScalarAsync<long>(Connection, "SELECT count(*) FROM bodies"));
    }

    [Fact(Timeout = 60_000)]
    public async Task PurgeAll_MoreThanOneBatch_DeletesEveryDeadLetterAndNothingElse()
    {
        ((PostgreSqlDeadLetterStore)Storage.DeadLetters).DeleteBatchSize = BatchSize;
        for (var n = 0; n < 7; n++)
        {
            await DeadLetterAsync(Sub(n));
        }

        var live = await AppendOneAsync(Message(Sub(50), 1));

        Assert.Equal(7, await Storage.DeadLetters.PurgeAsync(null, CancellationToken.None));

        Assert.Empty(await Storage.DeadLetters.ListAsync(10, CancellationToken.None));
        Assert.Equal(live.EntryId, await PostgreSqlTestDatabase.ScalarAsync<long>(Connection, "SELECT id FROM entries"));
        Assert.Equal(1L, await PostgreSqlTestDatabase.ScalarAsync<long>(Connection, "SELECT count(*) FROM bodies"));
        Assert.Equal(0L, await PostgreSqlTestDatabase.ScalarAsync<long>(Connection, "SELECT count(*) FROM deliveries"));
    }

    [Fact(Timeout = 60_000)]
    public async Task FeedAgeLimit_MoreTombstonesThanOneBatch_DeletesTheOldOnesOnly()
    {
        ((PostgreSqlFeedStore)Storage.Feeds).DeleteBatchSize = BatchSize;
        var feed = new FeedInfo("f1", "s", null, new FeedScope(), Convert.ToHexStringLower(Encoding.UTF8.GetBytes("f1".PadRight(32, '0'))), Time.GetUtcNow(), TimeSpan.FromDays(1), 1000);
        Assert.True(await Storage.Feeds.CreateAsync(feed, maxFeeds: 10, CancellationToken.None));
        await AppendAndAcknowledgeAsync(feed, 1, 7);
        Time.Advance(TimeSpan.FromDays(2));
        await AppendAndAcknowledgeAsync(feed, 8, 1);
        await Storage.Feeds.AppendAsync([new FeedAppend(feed, "9", FeedEntryKind.Notification, Encoding.UTF8.GetBytes("{}"))], CancellationToken.None);

        await Storage.Feeds.ApplyAgeLimitAsync(feed, CancellationToken.None);

        Assert.Equal("8:1,9:0", await PostgreSqlTestDatabase.ScalarAsync<string>(Connection, "SELECT string_agg(seq || ':' || state, ',' ORDER BY seq) FROM feed_entries"));
    }

    private async Task AppendAndAcknowledgeAsync(FeedInfo feed, int first, int count)
    {
        var appends = Enumerable.Range(first, count).Select(n => new FeedAppend(feed, n.ToString(System.Globalization.CultureInfo.InvariantCulture), FeedEntryKind.Notification, Encoding.UTF8.GetBytes("{}"))).ToArray();
        await Storage.Feeds.AppendAsync(appends, CancellationToken.None);
        var fetched = await Storage.Feeds.FetchAsync(feed.Handle, "s", null, 1 << 20, 100, TimeSpan.FromSeconds(30), CancellationToken.None);
        Assert.Equal(count, fetched!.Entries.Count);
        Assert.Equal(count, await Storage.Feeds.AcknowledgeAsync(feed.Handle, fetched.Entries[^1].Seq, CancellationToken.None));
    }

    private Task CompleteAsync(long entryId) => Storage.EntryLog.CompleteAsync(entryId, 1, SubscriptionStatus.OK, null, CancellationToken.None);

    private async Task DeadLetterAsync(string subscription)
    {
        var entry = (await AppendOneAsync(Message(subscription, 1))).EntryId;
        await Storage.EntryLog.ClaimAsync("a", 100, TimeSpan.FromSeconds(30), CancellationToken.None);
        await Storage.EntryLog.RecordAttemptAsync(entry, 1, [new("log", true, null), new("webhook", false, "503")], CancellationToken.None);
        await Storage.EntryLog.DeadLetterAsync(entry, 1, "webhook: 503", CancellationToken.None);
    }
}
