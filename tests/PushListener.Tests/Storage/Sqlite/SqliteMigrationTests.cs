using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using PushListener.Inbox;
using PushListener.Protocol;
using PushListener.Storage.Sqlite;
using PushListener.Tests.Infrastructure;

namespace PushListener.Tests.Storage.Sqlite;

/// <summary>Schema versions: a first-release database is migrated with what it holds; a newer one is refused.</summary>
public sealed class SqliteMigrationTests : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "pushlistener-tests", "migration-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero));

    private string DatabasePath => Path.Combine(_folder, "inbox.db");

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }

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
                ("$body", body), ("$lifecycle", PushListener.Subscriptions.LifecycleSerializer.Serialize(new LifecycleEvent(LifecycleKind.GapDetected, subscription, _time.GetUtcNow()))));
        }

        await using var database = new SqliteDatabase(DatabasePath, new InboxOptions(), _time);
        await database.InitializeAsync(CancellationToken.None);
        var log = new SqliteEntryLog(database);

        var claimed = await log.ClaimAsync("a", 10, TimeSpan.FromMinutes(1), CancellationToken.None);

        Assert.Equal([1L, 2L], claimed.Select(c => c.Id));
        Assert.Equal(subscription, SendNotificationReader.Read(claimed[0].Body).Messages[0].SubscriptionId);
        Assert.Equal(LifecycleKind.GapDetected, PushListener.Subscriptions.LifecycleSerializer.Deserialize(claimed[1].Body.ToArray()).Kind);
        Assert.Equal(1, (await log.GetStatsAsync(CancellationToken.None)).Done);
        Assert.True((await log.AppendAsync(new PushAppend(body, _time.GetUtcNow(), null, null, [new MessageAppend("w:a", subscription, 0, null)]), CancellationToken.None)).Messages[0].IsDuplicate);
        using var check = Open();
        Assert.Equal([1L, 2L], Versions(check));
    }

    [Fact]
    public async Task NewDatabase_GetsEveryVersion_AndOpeningAgainChangesNothing()
    {
        await using (var database = new SqliteDatabase(DatabasePath, new InboxOptions(), _time))
        {
            await database.InitializeAsync(CancellationToken.None);
        }

        await using (var again = new SqliteDatabase(DatabasePath, new InboxOptions(), _time))
        {
            await again.InitializeAsync(CancellationToken.None);
        }

        using var check = Open();
        Assert.Equal(Enumerable.Range(1, SqliteMigrator.LatestVersion).Select(v => (long)v), Versions(check));
    }

    [Fact]
    public async Task NewerDatabase_IsRefusedWithAMessageNamingTheDataFolderSetting()
    {
        await using (var database = new SqliteDatabase(DatabasePath, new InboxOptions(), _time))
        {
            await database.InitializeAsync(CancellationToken.None);
        }

        using (var newer = Open())
        {
            Execute(newer, "INSERT INTO schema_version (version, name, applied_at) VALUES (99, 'from the future', 0)");
        }

        await using var current = new SqliteDatabase(DatabasePath, new InboxOptions(), _time);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => current.InitializeAsync(CancellationToken.None));

        Assert.Contains("schema version 99", error.Message, StringComparison.Ordinal);
        Assert.Contains("PushListener:Inbox:DataFolder", error.Message, StringComparison.Ordinal);
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    private static List<long> Versions(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT version FROM schema_version ORDER BY version";
        using var reader = command.ExecuteReader();
        var versions = new List<long>();
        while (reader.Read())
        {
            versions.Add(reader.GetInt64(0));
        }

        return versions;
    }

    private static void Execute(SqliteConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        command.ExecuteNonQuery();
    }
}
