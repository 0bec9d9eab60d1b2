using System.Net;
using PushListener.Tests.Infrastructure;

namespace PushListener.Tests.Storage.PostgreSql;

public sealed class PostgreSqlStartupTests(PostgreSqlServer server) : IClassFixture<PostgreSqlServer>
{
    [Fact]
    public async Task Start_UnreachableDatabase_ExitsNamingTheSetting()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ListenerProcess.StartAsync(
        [
            "--PushListener:Storage:Provider=PostgreSql",
            $"--ConnectionStrings:PushListener=Host=127.0.0.1;Port={PostgreSqlMigratorTests.ClosedPort()};Username=postgres;Database=nowhere",
            "--PushListener:Storage:PostgreSql:ConnectTimeout=00:00:02",
        ]));

        Assert.Contains("exited with code 1", error.Message, StringComparison.Ordinal);
        Assert.Contains("Cannot use the PostgreSQL database 127.0.0.1", error.Message, StringComparison.Ordinal);
        Assert.Contains("named by ConnectionStrings:PushListener", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_FreshDatabase_MigratesAndIsReady()
    {
        var connection = await server.CreateDatabaseAsync();
        await using var factory = new ListenerFactory()
            .With("PushListener:Storage:Provider", "PostgreSql")
            .With("ConnectionStrings:PushListener", connection);
        using var client = factory.CreateClient();

        var health = await client.GetAsync(new Uri("/healthz", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(
            (long)PushListener.Storage.PostgreSql.PostgreSqlMigration.Embedded.Count,
            await PostgreSqlTestDatabase.ScalarAsync<long>(connection, "SELECT count(*) FROM schema_version"));
    }

    [Fact]
    public async Task Start_UserWithoutCreateOnTheSchema_ExitsNamingTheSetting_WithOneStackTrace()
    {
        var connection = await server.CreateDatabaseAsync();
        var role = "pl_nocreate_" + Guid.NewGuid().ToString("N")[..8];
        await using (var admin = new Npgsql.NpgsqlConnection(connection))
        {
            await admin.OpenAsync();
            // PostgreSQL 15 and later give ordinary users no CREATE on public: a login role is all it takes.
            await using var create = new Npgsql.NpgsqlCommand($"CREATE ROLE {role} LOGIN; REVOKE CREATE ON SCHEMA public FROM PUBLIC", admin);
            await create.ExecuteNonQueryAsync();
        }

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ListenerProcess.StartAsync(
        [
            "--PushListener:Storage:Provider=PostgreSql",
            "--ConnectionStrings:PushListener=" + new Npgsql.NpgsqlConnectionStringBuilder(connection) { Username = role }.ConnectionString,
        ]));

        Assert.Contains("exited with code 1", error.Message, StringComparison.Ordinal);
        Assert.Contains("Cannot use the PostgreSQL database 127.0.0.1", error.Message, StringComparison.Ordinal);
        Assert.Contains("named by ConnectionStrings:PushListener", error.Message, StringComparison.Ordinal);
        Assert.Contains("42501", error.Message, StringComparison.Ordinal);
        Assert.Contains("GRANT CREATE ON SCHEMA", error.Message, StringComparison.Ordinal);
        // The stack trace once (the host's report), not again in the last words.
        Assert.Equal(1, CountOf(error.Message, "PushListener.Storage.StorageUnavailableException:"));
    }

    private static int CountOf(string text, string part)
    {
        var count = 0;
        for (var at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
