using Microsoft.Data.Sqlite;
using PushListener.Inbox;
using PushListener.Storage.Sqlite;
using PushListener.Tests.Infrastructure;

namespace PushListener.Tests.Storage.Sqlite;

/// <summary>
/// SQLite's dedupe of watermark keys: each subscription's window of recent keys in its registry row, instead of the
/// unique index (which then holds only keys no window does). What the contract asserts for every store is in
/// <see cref="EntryLogContract"/>; these look at where SQLite keeps the keys, and at a restart.
/// </summary>
public sealed class SqliteDedupeWindowTests : SqliteFileTest
{
    [Fact]
    public async Task RetriesAfterARestart_AreFoundInTheWindow_AndWatermarkKeysNeverEnterTheIndex()
    {
        var subscription = PushBuilder.SubscriptionId(1);
        var stored = new List<long>();
        await using (var database = await OpenDatabaseAsync())
        {
            var log = new SqliteEntryLog(database);
            for (var sequence = 1; sequence <= DedupeKey.RecentWindow; sequence++)
            {
                stored.Add((await AppendAsync(log, MessageAppends.Chained(subscription, sequence))).EntryId);
            }
        }

        await using (var reopened = await OpenDatabaseAsync())
        {
            var log = new SqliteEntryLog(reopened);
            var latest = await AppendAsync(log, MessageAppends.Chained(subscription, DedupeKey.RecentWindow));
            var oldest = await AppendAsync(log, MessageAppends.Chained(subscription, 1));

            Assert.Equal((true, stored[^1]), (latest.IsDuplicate, latest.EntryId));
            Assert.Equal((true, stored[0]), (oldest.IsDuplicate, oldest.EntryId));
        }

        using var check = Open();
        Assert.Equal(0L, Column<long>(check, "SELECT count(*) FROM inbox WHERE dedupe_hash IS NOT NULL").Single());
    }

    [Fact]
    public async Task TheWindow_KeepsTheNewestKeysOnly_SoTheRegistryRowStaysTheSameSize()
    {
        var subscription = PushBuilder.SubscriptionId(1);
        await using var database = await OpenDatabaseAsync();
        var log = new SqliteEntryLog(database);
        long newest = 0;
        for (var sequence = 1; sequence <= 3 * DedupeKey.RecentWindow; sequence++)
        {
            newest = (await AppendAsync(log, MessageAppends.Chained(subscription, sequence))).EntryId;
        }

        using var check = Open();
        var window = Column<byte[]>(check, "SELECT recent_keys FROM subscriptions").Single();
        Assert.Equal(RecentDedupeKeys.MaxBytes, window.Length);
        Assert.Equal(newest, RecentDedupeKeys.EntryIdAt(window, 0));
        Assert.Equal(newest - DedupeKey.RecentWindow + 1, RecentDedupeKeys.EntryIdAt(window, RecentDedupeKeys.MaxBytes - RecentDedupeKeys.RecordBytes));
    }

    [Fact]
    public async Task AKeyWithoutASubscriptionRow_GoesToTheIndex_AndIsADuplicateThere()
    {
        // A message appended without registry data (no registry row to hold a window) is indexed as before.
        var subscription = PushBuilder.SubscriptionId(2);
        var message = MessageAppends.Chained(subscription, 1) with { Registry = null };
        await using var database = await OpenDatabaseAsync();
        var log = new SqliteEntryLog(database);

        var first = await AppendAsync(log, message);
        var retry = await AppendAsync(log, message);

        Assert.Equal((true, first.EntryId), (retry.IsDuplicate, retry.EntryId));
        using var check = Open();
        Assert.Equal(1L, Column<long>(check, "SELECT count(*) FROM inbox WHERE dedupe_hash IS NOT NULL").Single());
    }

    private async Task<MessageAppendResult> AppendAsync(SqliteEntryLog log, MessageAppend message) =>
        (await log.AppendAsync(new PushAppend(PushBuilder.NewMail(message.SubscriptionId!, 1), Time.GetUtcNow(), "Exchange2013", null, [message]), CancellationToken.None)).Messages[0];
}
