using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using PushListener.Storage.PostgreSql;

namespace PushListener.Tests.Storage.PostgreSql;

/// <summary>Builds the PostgreSQL components as an instance of the service would, on a test database.</summary>
internal static class PostgreSqlTestDatabase
{
    /// <summary>Fast checks and reconnects, so that failover tests finish quickly.</summary>
    public static readonly TimeSpan CheckInterval = TimeSpan.FromMilliseconds(100);

    public static IOptions<PostgreSqlStorageOptions> Options(string connectionString, string? applicationName = null) => Microsoft.Extensions.Options.Options.Create(new PostgreSqlStorageOptions
    {
        ConnectionString = applicationName is null ? connectionString : new NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = applicationName }.ConnectionString,
        ConnectionCheckInterval = CheckInterval,
    });

    public static PostgreSqlDatabase Open(string connectionString, string? applicationName = null) =>
        new(Options(connectionString, applicationName));

    public static PostgreSqlMigrator Migrator(PostgreSqlDatabase database) => new(database, NullLogger<PostgreSqlMigrator>.Instance);

    public static async Task<T> ScalarAsync<T>(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
