using Npgsql;

namespace PushListener.Tests.Infrastructure;

/// <summary>
/// The private PostgreSQL server ./test.sh starts (scripts/postgres-test-server.sh) and names in
/// <c>PUSHLISTENER_TEST_POSTGRES</c>. Each test gets a database of its own, dropped with the fixture, so tests run in
/// parallel without meeting. Without the variable every PostgreSQL test fails with a message saying how to run them:
/// silently skipping them would let a run that never touched PostgreSQL look green.
/// </summary>
public sealed class PostgreSqlServer : IAsyncDisposable
{
    public const string Variable = "PUSHLISTENER_TEST_POSTGRES";

    private readonly List<string> _databases = [];
    private readonly string _admin;

    public PostgreSqlServer()
    {
        _admin = Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{Variable} is not set, so there is no PostgreSQL to test against. Run ./test.sh (it installs PostgreSQL when missing, " +
                $"starts a private server and sets {Variable}), or start one with scripts/postgres-test-server.sh start FOLDER and " +
                $"export {Variable} with the connection string it prints.");
    }

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = "t_" + Guid.NewGuid().ToString("N");
        await using (var connection = new NpgsqlConnection(_admin))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await create.ExecuteNonQueryAsync();
        }

        lock (_databases)
        {
            _databases.Add(name);
        }

        return new NpgsqlConnectionStringBuilder(_admin) { Database = name }.ConnectionString;
    }

    /// <summary>Ends every session of the application named <paramref name="applicationName"/>, as a network failure or a server restart would.</summary>
    public async Task<int> TerminateSessionsAsync(string applicationName)
    {
        await using var connection = new NpgsqlConnection(_admin);
        await connection.OpenAsync();
        await using var terminate = new NpgsqlCommand("SELECT count(pg_terminate_backend(pid))::int FROM pg_stat_activity WHERE application_name = $1", connection)
        {
            Parameters = { new() { Value = applicationName } },
        };
        return (int)(await terminate.ExecuteScalarAsync())!;
    }

    /// <summary>
    /// Makes <paramref name="database"/> refuse (and drops its sessions) or accept connections again: the database is
    /// unreachable for whoever uses it, as in an outage, while the server stays up for the other tests.
    /// </summary>
    public async Task SetConnectionsAllowedAsync(string database, bool allowed)
    {
        await using var connection = new NpgsqlConnection(_admin);
        await connection.OpenAsync();
        await using (var alter = new NpgsqlCommand($"ALTER DATABASE {database} ALLOW_CONNECTIONS {(allowed ? "true" : "false")}", connection))
        {
            await alter.ExecuteNonQueryAsync();
        }

        if (!allowed)
        {
            await using var terminate = new NpgsqlCommand("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = $1", connection)
            {
                Parameters = { new() { Value = database } },
            };
            await terminate.ExecuteScalarAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(_admin);
        await connection.OpenAsync();
        foreach (var name in _databases)
        {
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync();
        }
    }
}
