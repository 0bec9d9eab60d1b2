using System.Globalization;
using Npgsql;
using PushListener.Inbox;
using PushListener.Subscriptions;

namespace PushListener.Storage.PostgreSql;

/// <summary>
/// The subscription registry in the shared database. Pushes update it inside the entry log's append transaction; every
/// other write here takes the subscription's advisory lock first (<see cref="PostgreSqlSql.LockSubscriptions"/>), so an
/// operator's mark or the watchdog never interleaves with an append on another instance.
/// </summary>
internal sealed class PostgreSqlSubscriptionRegistry(PostgreSqlDatabase database) : ISubscriptionRegistry
{
    public async Task<IReadOnlyList<SubscriptionRecord>> ListAsync(SubscriptionState? state, int max, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = PostgreSqlSql.Command(
            connection,
            $"SELECT {PostgreSqlSubscriptionRow.Columns} FROM subscriptions WHERE $1::smallint IS NULL OR state = $1 ORDER BY last_seen DESC, subscription_id LIMIT $2",
            null,
            state is { } s ? (short)s : null,
            max);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var records = new List<SubscriptionRecord>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            records.Add(PostgreSqlSubscriptionRow.Read(reader).ToRecord());
        }

        return records;
    }

    public async Task<IReadOnlyDictionary<SubscriptionState, long>> CountByStateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = PostgreSqlSql.Command(connection, "SELECT state, COUNT(*) FROM subscriptions GROUP BY state", null);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var counts = Enum.GetValues<SubscriptionState>().ToDictionary(static s => s, static _ => 0L);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            counts[(SubscriptionState)reader.GetInt16(0)] = reader.GetInt64(1);
        }

        return counts;
    }

    public async Task<SubscriptionRecord?> GetAsync(string subscriptionId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = PostgreSqlSql.Command(connection, $"SELECT {PostgreSqlSubscriptionRow.Columns} FROM subscriptions WHERE subscription_id = $1", null, subscriptionId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? PostgreSqlSubscriptionRow.Read(reader).ToRecord() : null;
    }

    public async Task<bool> MarkUnsubscribeAsync(string subscriptionId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await LockAsync(connection, transaction, [subscriptionId], cancellationToken).ConfigureAwait(false);
        var marked = await PostgreSqlSql.ExecuteAsync(connection, transaction, "UPDATE subscriptions SET state = 3 WHERE subscription_id = $1 AND state <> 4", cancellationToken, subscriptionId).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return marked > 0;
    }

    public async Task RecordRefusedAsync(string subscriptionId, string? requestServerVersion, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await LockAsync(connection, transaction, [subscriptionId], cancellationToken).ConfigureAwait(false);
        await PostgreSqlSql.ExecuteAsync(
            connection,
            transaction,
            """
            INSERT INTO subscriptions (subscription_id, state, first_seen, last_seen, request_server_version, last_error, last_error_at)
            VALUES ($1, 4, $2, $2, $3, 'refused: unknown subscription', $2)
            ON CONFLICT (subscription_id) DO UPDATE SET state = 4, last_seen = EXCLUDED.last_seen, last_error = EXCLUDED.last_error, last_error_at = EXCLUDED.last_error_at
            """,
            cancellationToken,
            subscriptionId,
            PostgreSqlSql.Utc(at),
            requestServerVersion).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<LifecycleEvent>> DetectSilentAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var candidates = new List<string>();
        await using (var select = PostgreSqlSql.Command(
            connection,
            "SELECT subscription_id FROM subscriptions WHERE state = 0 AND expected_interval_ms IS NOT NULL AND last_seen + 2 * expected_interval_ms * interval '1 millisecond' < $1",
            null,
            PostgreSqlSql.Utc(now)))
        {
            await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                candidates.Add(reader.GetString(0));
            }
        }

        if (candidates.Count == 0)
        {
            return [];
        }

        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await LockAsync(connection, transaction, candidates, cancellationToken).ConfigureAwait(false);

        // Read again under the lock: a push may have come in since.
        var rows = new List<PostgreSqlSubscriptionRow>();
        await using (var select = PostgreSqlSql.Command(connection, $"SELECT {PostgreSqlSubscriptionRow.Columns} FROM subscriptions WHERE subscription_id = ANY($1) ORDER BY subscription_id", transaction, (object)candidates.ToArray()))
        {
            await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                rows.Add(PostgreSqlSubscriptionRow.Read(reader));
            }
        }

        var events = new List<LifecycleEvent>();
        await using var batch = new NpgsqlBatch(connection, transaction);
        foreach (var row in rows)
        {
            if (SubscriptionRules.OnSilenceCheck(row.SubscriptionId, row.Snapshot(), now) is not { } silent)
            {
                continue;
            }

            events.Add(silent);
            var key = "l:" + Guid.NewGuid().ToString("N");
            batch.BatchCommands.Add(PostgreSqlSql.BatchCommand("UPDATE subscriptions SET state = 1 WHERE subscription_id = $1", row.SubscriptionId));
            batch.BatchCommands.Add(PostgreSqlSql.BatchCommand(
                """
                INSERT INTO entries (kind, dedupe_hash, dedupe_key, subscription_id, message_index, received_at, registration, lifecycle)
                VALUES ($1, $2, $3, $4, 0, $5, $6, $7)
                """,
                (short)EntryKind.Lifecycle,
                PostgreSqlSql.Hash(key),
                key,
                row.SubscriptionId,
                PostgreSqlSql.Utc(now),
                row.Registration,
                LifecycleSerializer.Serialize(silent)));
        }

        if (events.Count > 0)
        {
            batch.BatchCommands.Add(PostgreSqlNotifier.Notify(PostgreSqlChannels.Entries, null));
            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return events;
    }

    private static async Task LockAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyCollection<string> subscriptions, CancellationToken cancellationToken)
    {
        await using var command = PostgreSqlSql.Command(connection, PostgreSqlSql.LockSubscriptions, transaction, (object)subscriptions.ToArray());
        _ = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
    }
}
