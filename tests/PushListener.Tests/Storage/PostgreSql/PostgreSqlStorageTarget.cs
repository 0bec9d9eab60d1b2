using PushListener.Storage.PostgreSql;
using PushListener.Tests.Infrastructure;

namespace PushListener.Tests.Storage.PostgreSql;

/// <summary>PostgreSQL under the contracts: a new database on the test server per test, dropped with the fixture.</summary>
internal sealed class PostgreSqlStorageTarget(PostgreSqlServer server) : IStorageTarget
{
    /// <summary>The database of the last store created: another instance can open it with <see cref="OpenAsync"/>.</summary>
    public string? ConnectionString { get; private set; }

    public async Task<StorageUnderTest> CreateAsync(TimeProvider time)
    {
        ConnectionString = await server.CreateDatabaseAsync();
        return await OpenAsync(ConnectionString, time);
    }

    /// <summary>Another instance's stores on an existing database.</summary>
    public static Task<StorageUnderTest> OpenAsync(string connection, TimeProvider time) =>
        StorageUnderTest.StartAsync(
            static builder => builder.UsePostgreSqlStorage(),
            new Dictionary<string, string?>
            {
                ["ConnectionStrings:PushListener"] = connection,
                [PostgreSqlStorageOptions.SectionName + ":ConnectionCheckInterval"] = "00:00:00.100",
            },
            time);
}
