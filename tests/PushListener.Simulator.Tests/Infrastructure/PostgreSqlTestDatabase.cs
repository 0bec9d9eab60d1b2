using Npgsql;

namespace PushListener.Simulator.Tests.Infrastructure;

/// <summary>
/// A database of its own on the private PostgreSQL server ./test.sh starts (<c>PUSHLISTENER_TEST_POSTGRES</c>), dropped
/// with the test. Without the variable the test fails saying how to run it: a skipped PostgreSQL test would look green.
/// </summary>
internal sealed class PostgreSqlTestDatabase : IAsyncDisposable
{
    public const string Variable = "PUSHLISTENER_TEST_POSTGRES";

    private readonly string _admin;
    private readonly string _name;

    private PostgreSqlTestDatabase(string admin, string name)
    {
        _admin = admin;
        _name = name;
        ConnectionString = new NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString;
    }

    public string ConnectionString { get; }

    public static async Task<PostgreSqlTestDatabase> CreateAsync()
    {
        var admin = Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{Variable} is not set, so there is no PostgreSQL to test against. Run ./test.sh (it starts a private server and sets {Variable}), " +
                $"or start one with scripts/postgres-test-server.sh start FOLDER and export {Variable} with the connection string it prints.");
        var name = "t_" + Guid.NewGuid().ToString("N");
        await using var connection = new NpgsqlConnection(admin);
        await connection.OpenAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
        await create.ExecuteNonQueryAsync();
        return new PostgreSqlTestDatabase(admin, name);
    }

    /// <summary>One value the database holds (for asserting what was stored where).</summary>
    public async Task<object?> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(_admin);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_name} WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }
}
