using Microsoft.Data.Sqlite;
using PushListener.Subscriptions;

namespace PushListener.Storage.Sqlite;

/// <summary>The subscription registry in SQLite (<c>subscriptions</c>); pushes update it in <see cref="SqliteEntryLog"/>'s append.</summary>
internal sealed class SqliteSubscriptionRegistry(SqliteDatabase database) : ISubscriptionRegistry
{
    public async Task<IReadOnlyList<SubscriptionRecord>> ListAsync(SubscriptionState? state, int max, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenReadAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {SqliteSubscriptionRows.SelectColumns} FROM subscriptions WHERE $state IS NULL OR state = $state ORDER BY last_seen DESC, subscription_id LIMIT $max";
        command.Parameters.AddWithValue("$state", state is null ? DBNull.Value : (int)state);
        command.Parameters.AddWithValue("$max", max);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var records = new List<SubscriptionRecord>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            records.Add(SqliteSubscriptionRows.Read(reader));
        }

        return records;
    }

    public async Task<IReadOnlyDictionary<SubscriptionState, long>> CountByStateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenReadAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT state, COUNT(*) FROM subscriptions GROUP BY state";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var counts = Enum.GetValues<SubscriptionState>().ToDictionary(static s => s, static _ => 0L);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            counts[(SubscriptionState)reader.GetInt32(0)] = reader.GetInt64(1);
        }

        return counts;
    }

    public async Task<SubscriptionRecord?> GetAsync(string subscriptionId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenReadAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {SqliteSubscriptionRows.SelectColumns} FROM subscriptions WHERE subscription_id = $sub";
        command.Parameters.AddWithValue("$sub", subscriptionId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? SqliteSubscriptionRows.Read(reader) : null;
    }

    public async Task<bool> MarkUnsubscribeAsync(string subscriptionId, CancellationToken cancellationToken) =>
        await database.WriteAsync(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = "UPDATE subscriptions SET state = $marked WHERE subscription_id = $sub AND state <> $done";
            command.Parameters.AddWithValue("$marked", (int)SubscriptionState.Unsubscribing);
            command.Parameters.AddWithValue("$done", (int)SubscriptionState.Unsubscribed);
            command.Parameters.AddWithValue("$sub", subscriptionId);
            return command.ExecuteNonQuery() > 0;
        }, cancellationToken).ConfigureAwait(false);

    public Task RecordRefusedAsync(string subscriptionId, string? requestServerVersion, DateTimeOffset at, CancellationToken cancellationToken) =>
        database.WriteAsync(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = """
                INSERT INTO subscriptions (subscription_id, state, first_seen, last_seen, request_server_version, last_error, last_error_at)
                VALUES ($sub, $state, $now, $now, $version, 'refused: unknown subscription', $now)
                ON CONFLICT (subscription_id) DO UPDATE SET state = $state, last_seen = $now, last_error = 'refused: unknown subscription', last_error_at = $now
                """;
            command.Parameters.AddWithValue("$sub", subscriptionId);
            command.Parameters.AddWithValue("$state", (int)SubscriptionState.Unsubscribed);
            command.Parameters.AddWithValue("$now", at.ToUnixTimeMilliseconds());
            command.Parameters.AddWithValue("$version", SqliteDatabase.Nullable(requestServerVersion));
            return command.ExecuteNonQuery();
        }, cancellationToken).AsTask();

    public async Task<IReadOnlyList<LifecycleEvent>> DetectSilentAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        await database.WriteAsync(connection => DetectSilent(connection, now), cancellationToken).ConfigureAwait(false);

    private static List<LifecycleEvent> DetectSilent(SqliteConnection connection, DateTimeOffset now)
    {
        // The SQL narrows to candidates; the rules decide.
        var candidates = new List<(string Subscription, SubscriptionSnapshot Snapshot)>();
        using (var select = connection.CreateCommand())
        {
            select.CommandText = """
                SELECT subscription_id, state, last_watermark, last_seen, last_push_heartbeat, registration, expected_interval_ms, interval_source
                FROM subscriptions WHERE state = $active AND expected_interval_ms IS NOT NULL AND last_seen + 2 * expected_interval_ms < $now
                """;
            select.Parameters.AddWithValue("$active", (int)SubscriptionState.Active);
            select.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
            using var reader = select.ExecuteReader();
            while (reader.Read())
            {
                candidates.Add((reader.GetString(0), SqliteSubscriptionRows.Snapshot(reader, 1)));
            }
        }

        var events = new List<LifecycleEvent>(candidates.Count);
        foreach (var (subscription, snapshot) in candidates)
        {
            if (SubscriptionRules.OnSilenceCheck(subscription, snapshot, now) is not { } lifecycle)
            {
                continue;
            }

            using var update = connection.CreateCommand();
            update.CommandText = "UPDATE subscriptions SET state = $silent WHERE subscription_id = $sub";
            update.Parameters.AddWithValue("$silent", (int)SubscriptionState.Silent);
            update.Parameters.AddWithValue("$sub", subscription);
            update.ExecuteNonQuery();
            SqliteEntryRows.InsertLifecycle(connection, lifecycle, null, snapshot.Registration, null);
            events.Add(lifecycle);
        }

        return events;
    }
}
