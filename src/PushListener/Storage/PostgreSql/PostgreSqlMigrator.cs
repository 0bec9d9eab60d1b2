using Npgsql;

namespace PushListener.Storage.PostgreSql;

/// <summary>
/// Brings the shared database's schema to this binary's version at start-up. Every instance runs it; a session-level
/// advisory lock makes instances that start together take turns, so each script runs exactly once, in its own
/// transaction, recorded in <c>schema_version</c>. A database newer than the binary is refused (an older binary
/// would misread it) rather than downgraded.
/// </summary>
internal sealed partial class PostgreSqlMigrator(PostgreSqlDatabase database, ILogger<PostgreSqlMigrator> logger)
{
    // Per schema, so that deployments kept apart by search_path in one database do not wait for each other.
    // The migration statements and the wait for the lock run without CommandTimeout (0: none): a script may rebuild an
    // index on a large table, and a second instance waits for the first's migration. Connecting stays bounded (Timeout).
    private const int Unbounded = 0;

    private const string LockKey = "hashtextextended('pushlistener:migrations:' || current_schema(), 0)";

    /// <summary>Applies the missing <paramref name="migrations"/> (in version order, numbered from 1); returns the version reached.</summary>
    public async Task<int> MigrateAsync(IReadOnlyList<PostgreSqlMigration> migrations, CancellationToken cancellationToken)
    {
        NpgsqlConnection connection;
        try
        {
            connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (PostgreSqlDatabase.IsUnavailable(ex) && !cancellationToken.IsCancellationRequested)
        {
            throw database.Unreachable(ex);
        }

        await using (connection.ConfigureAwait(false))
        {
            // Waits as long as another instance's migration takes (CommandTimeout bounds the stores' statements, not this).
            await ExecuteAsync(connection, null, $"SELECT pg_advisory_lock({LockKey})", cancellationToken).ConfigureAwait(false);
            try
            {
                return await MigrateLockedAsync(connection, migrations, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                // Closing the session would release it too; unlocking returns the connection to the pool clean.
                await using var unlock = new NpgsqlCommand($"SELECT pg_advisory_unlock({LockKey})", connection);
                await unlock.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    private async Task<int> MigrateLockedAsync(NpgsqlConnection connection, IReadOnlyList<PostgreSqlMigration> migrations, CancellationToken cancellationToken)
    {
        await ExecuteAsync(connection, null, """
            CREATE TABLE IF NOT EXISTS schema_version (
                version integer PRIMARY KEY,
                name text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """, cancellationToken).ConfigureAwait(false);

        var current = await CurrentVersionAsync(connection, cancellationToken).ConfigureAwait(false);
        var known = migrations.Count == 0 ? 0 : migrations[^1].Version;
        if (current > known)
        {
            throw new StorageUnavailableException(
                $"The PostgreSQL database {database.Target} named by {PostgreSqlStorageOptions.ConnectionStringSetting} has schema version {current}, newer than this binary's {known}: " +
                "a newer PushListener migrated it. Run that version (or newer) here too, or point the setting at another database.");
        }

        foreach (var migration in migrations.Where(m => m.Version > current))
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                await ExecuteAsync(connection, transaction, migration.Sql, cancellationToken).ConfigureAwait(false);
                await using var record = new NpgsqlCommand("INSERT INTO schema_version (version, name) VALUES ($1, $2)", connection, transaction)
                {
                    CommandTimeout = Unbounded,
                    Parameters = { new() { Value = migration.Version }, new() { Value = migration.Name } },
                };
                await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }

            Applied(logger, migration.Version, migration.Name, database.Target);
            current = migration.Version;
        }

        return current;
    }

    private static async Task<int> CurrentVersionAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT coalesce(max(version), 0) FROM schema_version", connection) { CommandTimeout = Unbounded };
        return (int)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction) { CommandTimeout = Unbounded };
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    [LoggerMessage(900, LogLevel.Information, "Applied schema migration {Version} ({Name}) to {Target}")]
    private static partial void Applied(ILogger logger, int version, string name, string target);
}
