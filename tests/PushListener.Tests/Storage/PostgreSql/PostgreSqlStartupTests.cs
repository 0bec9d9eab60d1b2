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
}
