using Microsoft.Data.Sqlite;
using PushListener.Inbox;
using PushListener.Protocol;
using PushListener.Storage.Sqlite;
using PushListener.Tests.Infrastructure;

namespace PushListener.Tests.Storage.Sqlite;

/// <summary>Schema versions: a first-release database is migrated with what it holds; a newer one is refused.</summary>
public sealed class SqliteMigrationTests : SqliteFileTest
{
    [Fact]
    public async Task FirstReleaseDatabase_IsMigrated_AndItsPendingEntriesAreDeliveredWithTheirBodies()
    {
        var subscription = PushBuilder.SubscriptionId(1);
        var body = PushBuilder.NewMail(subscription, 1);
        using (var old = Open())
        {
            // Script 1 is the first release's layout; that release marked it PRAGMA user_version = 1, with no schema_version.
            Execute(old, SqliteMigrator.Scripts[0].Sql + "PRAGMA user_version = 1;");
            Execute(old, "INSERT INTO inbox (id, kind, dedupe_key, dedupe_hash, subscription_id, message_index, received_at, state) VALUES (1, 0, 'w:a', $h1, $sub, 0, 1000, 0), (2, 1, 'l:b', $h2, $sub, 0, 1000, 0), (3, 0, 'w:c', $h3, $sub, 0, 1000, 1)",
                ("$h1", SqliteEntryRows.HashKey("w:a")), ("$h2", SqliteEntryRows.HashKey("l:b")), ("$h3", SqliteEntryRows.HashKey("w:c")), ("$sub", subscription));
            Execute(old, "INSERT INTO inbox_bodies (id, body) VALUES (1, $body), (2, $lifecycle), (3, $body)",
                ("$body", body), ("$lifecycle", PushListener.Subscriptions.LifecycleSerializer.Serialize(new LifecycleEvent(LifecycleKind.GapDetected, subscription, Time.GetUtcNow()))));
        }

        await using var database = await OpenDatabaseAsync();
        var log = new SqliteEntryLog(database);

        var claimed = await log.ClaimAsync("a", 10, TimeSpan.FromMinutes(1), CancellationToken.None);

        Assert.Equal([1L, 2L], claimed.Select(c => c.Id));
        Assert.Equal(subscription, SendNotificationReader.Read(claimed[0].Body).Messages[0].SubscriptionId);
        Assert.Equal(LifecycleKind.GapDetected, PushListener.Subscriptions.LifecycleSerializer.Deserialize(claimed[1].Body.ToArray()).Kind);
        Assert.Equal(1, (await log.GetStatsAsync(CancellationToken.None)).Done);
        Assert.True((await log.AppendAsync(new PushAppend(body, Time.GetUtcNow(), null, null, [new MessageAppend("w:a", subscription, 0, null)]), CancellationToken.None)).Messages[0].IsDuplicate);
        using var check = Open();
        Assert.Equal(Enumerable.Range(1, SqliteMigrator.LatestVersion).Select(v => (long)v), Column<long>(check, "SELECT version FROM schema_version ORDER BY version"));
    }

    [Fact]
    public async Task Version4Database_IsRebuiltWithDedupeWindows_AndRetriesOfWhatItHeldAreStillDuplicates()
    {
        // A database of the version before the dedupe windows: 20 notifications of a registered subscription (all in the
        // unique index), an error push's body-hash key, a lifecycle entry, a notification of a subscription without a
        // registry row, and ids used up to 40 (later entries deleted by retention).
        var subscription = PushBuilder.SubscriptionId(1);
        var unregistered = PushBuilder.SubscriptionId(2);
        var error = MessageAppends.Error(subscription, "ErrorReadEventsFailed");
        using (var old = Open())
        {
            Execute(old, "CREATE TABLE schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)");
            foreach (var (version, name, sql) in SqliteMigrator.Scripts.Where(s => s.Version <= 4))
            {
                Execute(old, sql);
                Execute(old, "INSERT INTO schema_version (version, name, applied_at) VALUES ($v, $n, 0)", ("$v", version), ("$n", name));
            }

            Execute(old, "INSERT INTO subscriptions (subscription_id, state, first_seen, last_seen, last_watermark) VALUES ($sub, 0, 1000, 1000, $mark)",
                ("$sub", subscription), ("$mark", PushBuilder.Watermark(subscription, 20)));
            const string Insert = "INSERT INTO inbox (id, kind, dedupe_key, dedupe_hash, subscription_id, sub_key, message_index, received_at, state) VALUES ($id, $kind, $key, $hash, $sub, $sub, 0, 1000, 1)";
            void Entry(long id, int kind, string key, string sub) =>
                Execute(old, Insert, ("$id", id), ("$kind", kind), ("$key", key), ("$hash", SqliteEntryRows.HashKey(key)), ("$sub", sub));
            for (var sequence = 1; sequence <= 20; sequence++)
            {
                Entry(sequence, 0, MessageAppends.Chained(subscription, sequence).DedupeKey, subscription);
            }

            Entry(21, 0, error.DedupeKey, subscription);
            Entry(22, 1, "l:lifecycle", subscription);
            Entry(23, 0, MessageAppends.Chained(unregistered, 1).DedupeKey, unregistered);
            Execute(old, "UPDATE sqlite_sequence SET seq = 40 WHERE name = 'inbox'");
        }

        await using var database = await OpenDatabaseAsync();
        var log = new SqliteEntryLog(database);
        async Task<(bool, long)> RetryAsync(MessageAppend message)
        {
            var result = (await log.AppendAsync(new PushAppend(PushBuilder.NewMail(message.SubscriptionId!, 1), Time.GetUtcNow(), null, null, [message]), CancellationToken.None)).Messages[0];
            return (result.IsDuplicate, result.EntryId);
        }

        // The newest 16 are in the subscription's window (the oldest of them 15 pushes back), the older ones still indexed.
        Assert.Equal((true, 20L), await RetryAsync(MessageAppends.Chained(subscription, 20)));
        Assert.Equal((true, 5L), await RetryAsync(MessageAppends.Chained(subscription, 5)));
        Assert.Equal((true, 4L), await RetryAsync(MessageAppends.Chained(subscription, 4)));
        Assert.Equal((true, 1L), await RetryAsync(MessageAppends.Chained(subscription, 1)));
        Assert.Equal((true, 21L), await RetryAsync(error));
        Assert.Equal((true, 23L), await RetryAsync(MessageAppends.Chained(unregistered, 1)));
        Assert.Equal((false, 41L), await RetryAsync(MessageAppends.Chained(subscription, 21)));
        using var check = Open();
        Assert.Equal(Enumerable.Range(1, SqliteMigrator.LatestVersion).Select(v => (long)v), Column<long>(check, "SELECT version FROM schema_version ORDER BY version"));
        Assert.Equal(
            [1L, 2L, 3L, 4L, 21L, 23L],
            Column<long>(check, "SELECT id FROM inbox WHERE dedupe_hash IS NOT NULL ORDER BY id"));
        Assert.Equal(
            ["inbox_body", "inbox_dead", "inbox_dedupe_hash", "inbox_pending", "inbox_pending_by_subscription"],
            Column<string>(check, "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'inbox' ORDER BY name"));
        Assert.Equal(0L, Column<long>(check, "SELECT count(*) FROM pragma_index_list('inbox') WHERE origin = 'u'").Single());
    }

    [Fact]
    public async Task NewDatabase_GetsEveryVersion_AndOpeningAgainChangesNothing()
    {
        await using (var database = new SqliteDatabase(DatabasePath, new InboxOptions(), Time))
        {
            await database.InitializeAsync(CancellationToken.None);
        }

        await using (var again = new SqliteDatabase(DatabasePath, new InboxOptions(), Time))
        {
            await again.InitializeAsync(CancellationToken.None);
        }

        using var check = Open();
        Assert.Equal(Enumerable.Range(1, SqliteMigrator.LatestVersion).Select(v => (long)v), Column<long>(check, "SELECT version FROM schema_version ORDER BY version"));
    }

    [Fact]
    public async Task NewerDatabase_IsRefusedWithAMessageNamingTheDataFolderSetting()
    {
        await using (var database = new SqliteDatabase(DatabasePath, new InboxOptions(), Time))
        {
            await database.InitializeAsync(CancellationToken.None);
        }

        using (var newer = Open())
        {
            Execute(newer, "INSERT INTO schema_version (version, name, applied_at) VALUES (99, 'from the future', 0)");
        }

        await using var current = new SqliteDatabase(DatabasePath, new InboxOptions(), Time);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => current.InitializeAsync(CancellationToken.None));

        Assert.Contains("schema version 99", error.Message, StringComparison.Ordinal);
        Assert.Contains("PushListener:Inbox:DataFolder", error.Message, StringComparison.Ordinal);
    }
}
