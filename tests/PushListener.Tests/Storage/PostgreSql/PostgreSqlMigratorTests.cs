using Npgsql;
using PushListener.Storage;
using PushListener.Storage.PostgreSql;
using PushListener.Tests.Infrastructure;

namespace PushListener.Tests.Storage.PostgreSql;

public sealed class PostgreSqlMigratorTests(PostgreSqlServer server) : IClassFixture<PostgreSqlServer>
{
    // The second script fails if it runs twice (duplicate table) or before the first (missing table).
    private static readonly PostgreSqlMigration[] Scripts =
    [
        new(1, "create_counter", "CREATE TABLE counter (runs integer NOT NULL); INSERT INTO counter VALUES (0);"),
        new(2, "count_and_mark", "UPDATE counter SET runs = runs + 1; CREATE TABLE second_ran (x integer);"),
    ];

    [Fact]
    public async Task Migrate_EmptyDatabase_AppliesEveryScriptInOrderAndRecordsIt()
    {
        var connection = await server.CreateDatabaseAsync();
        await using var database = PostgreSqlTestDatabase.Open(connection);

        var version = await PostgreSqlTestDatabase.Migrator(database).MigrateAsync(Scripts, CancellationToken.None);

        Assert.Equal(2, version);
        Assert.Equal(1, await PostgreSqlTestDatabase.ScalarAsync<int>(connection, "SELECT runs FROM counter"));
        Assert.Equal("1:create_counter,2:count_and_mark", await PostgreSqlTestDatabase.ScalarAsync<string>(connection, "SELECT string_agg(version || ':' || name, ',' ORDER BY version) FROM schema_version"));
    }

    [Fact]
    public async Task Migrate_AgainWithOneMoreScript_AppliesOnlyTheNewOne()
    {
        var connection = await server.CreateDatabaseAsync();
        await using var database = PostgreSqlTestDatabase.Open(connection);
        var migrator = PostgreSqlTestDatabase.Migrator(database);
        await migrator.MigrateAsync(Scripts[..1], CancellationToken.None);

        var version = await migrator.MigrateAsync(Scripts, CancellationToken.None);
        var again = await migrator.MigrateAsync(Scripts, CancellationToken.None);

        Assert.Equal(2, version);
        Assert.Equal(2, again);
        Assert.Equal(1, await PostgreSqlTestDatabase.ScalarAsync<int>(connection, "SELECT runs FROM counter"));
    }

    [Fact]
    public async Task Migrate_EightInstancesStartingTogether_RunEachScriptOnce()
    {
        var connection = await server.CreateDatabaseAsync();
        var databases = Enumerable.Range(0, 8).Select(_ => PostgreSqlTestDatabase.Open(connection)).ToArray();
        try
        {
            var versions = await Task.WhenAll(databases.Select(d => Task.Run(() => PostgreSqlTestDatabase.Migrator(d).MigrateAsync(Scripts, CancellationToken.None))));

            Assert.All(versions, v => Assert.Equal(2, v));
            Assert.Equal(1, await PostgreSqlTestDatabase.ScalarAsync<int>(connection, "SELECT runs FROM counter"));
            Assert.Equal(2L, await PostgreSqlTestDatabase.ScalarAsync<long>(connection, "SELECT count(*) FROM schema_version"));
        }
        finally
        {
            foreach (var database in databases)
            {
                await database.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Migrate_FailingScript_RollsItBackAndLeavesTheVersion()
    {
        var connection = await server.CreateDatabaseAsync();
        await using var database = PostgreSqlTestDatabase.Open(connection);
        var migrator = PostgreSqlTestDatabase.Migrator(database);
        PostgreSqlMigration[] broken = [Scripts[0], new(2, "broken", "CREATE TABLE half_done (x integer); SELECT no_such_column FROM counter;")];

        await Assert.ThrowsAnyAsync<Npgsql.PostgresException>(() => migrator.MigrateAsync(broken, CancellationToken.None));

        Assert.Equal(1, await PostgreSqlTestDatabase.ScalarAsync<int>(connection, "SELECT max(version) FROM schema_version"));
        Assert.False(await PostgreSqlTestDatabase.ScalarAsync<bool>(connection, "SELECT to_regclass('half_done') IS NOT NULL"));
        Assert.Equal(2, await migrator.MigrateAsync(Scripts, CancellationToken.None));
    }

    [Fact]
    public async Task Migrate_SchemaNewerThanTheBinary_RefusesNamingTheSetting()
    {
        var connection = await server.CreateDatabaseAsync();
        await using var database = PostgreSqlTestDatabase.Open(connection);
        var migrator = PostgreSqlTestDatabase.Migrator(database);
        await migrator.MigrateAsync(Scripts, CancellationToken.None);

        var error = await Assert.ThrowsAsync<StorageUnavailableException>(() => migrator.MigrateAsync(Scripts[..1], CancellationToken.None));

        Assert.Contains("ConnectionStrings:PushListener", error.Message, StringComparison.Ordinal);
        Assert.Contains("schema version 2, newer than this binary's 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Migrate_UnreachableServer_FailsNamingTheSetting()
    {
        await using var database = PostgreSqlTestDatabase.Open($"Host=127.0.0.1;Port={ClosedPort()};Username=postgres;Database=nowhere;Timeout=2");

        var error = await Assert.ThrowsAsync<StorageUnavailableException>(() => PostgreSqlTestDatabase.Migrator(database).MigrateAsync(Scripts, CancellationToken.None));

        Assert.Contains("ConnectionStrings:PushListener", error.Message, StringComparison.Ordinal);
        Assert.Contains("127.0.0.1", error.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Migrate_WaitingForTheLockLongerThanTheCommandTimeout_StillSucceeds()
    {
        var connection = await server.CreateDatabaseAsync();
        await using var database = PostgreSqlTestDatabase.Open(new NpgsqlConnectionStringBuilder(connection) { CommandTimeout = 1 }.ConnectionString);
        await using var holder = new NpgsqlConnection(connection);
        await holder.OpenAsync();
        await using (var take = new NpgsqlCommand("SELECT pg_advisory_lock(hashtextextended('pushlistener:migrations:' || current_schema(), 0))", holder))
        {
            await take.ExecuteNonQueryAsync();
        }

        // Another instance migrating: the migrator waits for its lock, here about twice its statement timeout.
        var migrating = Task.Run(() => PostgreSqlTestDatabase.Migrator(database).MigrateAsync(Scripts, CancellationToken.None));
        await Eventually.TrueAsync(async () => await PostgreSqlTestDatabase.ScalarAsync<long>(connection, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted") == 1, TimeSpan.FromSeconds(20));
        // Until the server says the migrator's lock wait has outlasted its 1 s Command Timeout (a cut wait would have
        // ended its statement): a condition on the server's own clock, however busy the machine is.
        await Eventually.TrueAsync(
            async () => await PostgreSqlTestDatabase.ScalarAsync<bool>(connection, "SELECT coalesce(bool_or(clock_timestamp() - query_start > interval '1.5 seconds'), false) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND wait_event = 'advisory'"),
            TimeSpan.FromSeconds(20));
        Assert.False(migrating.IsCompleted);
        await using (var release = new NpgsqlCommand("SELECT pg_advisory_unlock_all()", holder))
        {
            await release.ExecuteNonQueryAsync();
        }

        Assert.Equal(2, await migrating.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(1, await PostgreSqlTestDatabase.ScalarAsync<int>(connection, "SELECT runs FROM counter"));
    }

    [Fact(Timeout = 60_000)]
    public async Task StatementTimeout_IsToldApartFromAFailedConnect_AndNamesCommandTimeout()
    {
        var connection = new NpgsqlConnectionStringBuilder(await server.CreateDatabaseAsync()) { CommandTimeout = 1 }.ConnectionString;
        await using var database = PostgreSqlTestDatabase.Open(connection);
        await using var open = await database.OpenAsync(CancellationToken.None);
        await using var slow = new NpgsqlCommand("SELECT pg_sleep(5)", open);
        var timedOut = await Assert.ThrowsAnyAsync<NpgsqlException>(() => slow.ExecuteNonQueryAsync());
        await using var nowhere = PostgreSqlTestDatabase.Open($"Host=127.0.0.1;Port={ClosedPort()};Username=postgres;Database=nowhere;Timeout=2");
        var refused = await Assert.ThrowsAnyAsync<Exception>(async () => await nowhere.OpenAsync(CancellationToken.None));

        Assert.True(PostgreSqlDatabase.IsStatementTimeout(timedOut));
        Assert.False(PostgreSqlDatabase.IsStatementTimeout(refused));
        var error = database.Unusable(timedOut);
        Assert.Contains("PushListener:Storage:PostgreSql:CommandTimeout", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("ConnectionStrings:PushListener", error.Message, StringComparison.Ordinal);
        Assert.Contains("ConnectionStrings:PushListener", database.Unusable(new InvalidOperationException("other")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Migrate_EmbeddedScripts_ApplyToAnEmptyDatabase()
    {
        var connection = await server.CreateDatabaseAsync();
        await using var database = PostgreSqlTestDatabase.Open(connection);

        var version = await PostgreSqlTestDatabase.Migrator(database).MigrateAsync(PostgreSqlMigration.Embedded, CancellationToken.None);

        Assert.Equal(PostgreSqlMigration.Embedded.Count, version);
    }

    /// <summary>A loopback port nothing listens on: bound and released, so nothing else took it a moment ago.</summary>
    internal static int ClosedPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
