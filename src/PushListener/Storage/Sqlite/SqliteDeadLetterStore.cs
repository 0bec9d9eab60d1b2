using System.Globalization;
using PushListener.Inbox;

namespace PushListener.Storage.Sqlite;

/// <summary>Dead letters in SQLite: entries in state 2, with their failed handlers from <c>deliveries</c>.</summary>
internal sealed class SqliteDeadLetterStore(SqliteDatabase database) : IDeadLetterStore
{
    public async Task<IReadOnlyList<DeadLetter>> ListAsync(int max, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenReadAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT i.id, i.subscription_id, i.received_at, i.attempts, i.last_error, i.finished_at,
                   (SELECT group_concat(d.handler, char(10)) FROM deliveries d WHERE d.entry_id = i.id AND d.status = 1)
            FROM inbox i WHERE i.state = 2 ORDER BY i.id LIMIT $max
            """;
        command.Parameters.AddWithValue("$max", max);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var letters = new List<DeadLetter>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            letters.Add(new DeadLetter(
                reader.GetInt64(0),
                SqliteDatabase.StringOrNull(reader, 1),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)),
                reader.GetInt32(3),
                SqliteDatabase.StringOrNull(reader, 4),
                SqliteDatabase.TimeOrNull(reader, 5),
                reader.IsDBNull(6) ? [] : reader.GetString(6).Split('\n')));
        }

        return letters;
    }

    // In place: the entry keeps its id, which handlers see as the delivery id (webhook-id), so receivers dedupe a replay.
    public Task<int> ReplayAsync(long? entryId, CancellationToken cancellationToken) =>
        database.WriteAsync(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = """
                UPDATE deliveries SET attempts = 0 WHERE status = 0 AND entry_id IN (SELECT id FROM inbox WHERE state = 2 AND ($id IS NULL OR id = $id));
                UPDATE inbox SET state = 0, attempts = 0, last_error = NULL, finished_at = NULL, owner = NULL, lease_until = 0
                WHERE state = 2 AND ($id IS NULL OR id = $id);
                """;
            command.Parameters.AddWithValue("$id", SqliteDatabase.Nullable(entryId));
            command.ExecuteNonQuery();
            return Convert.ToInt32(SqliteDatabase.Scalar(connection, "SELECT changes()"), CultureInfo.InvariantCulture);
        }, cancellationToken).AsTask();

    public Task<int> PurgeAsync(long? entryId, CancellationToken cancellationToken) =>
        database.WriteAsync(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = """
                CREATE TEMP TABLE IF NOT EXISTS purged (id INTEGER PRIMARY KEY, body_id INTEGER);
                DELETE FROM purged;
                INSERT INTO purged (id, body_id) SELECT id, body_id FROM inbox WHERE state = 2 AND ($id IS NULL OR id = $id);
                DELETE FROM deliveries WHERE entry_id IN (SELECT id FROM purged);
                DELETE FROM inbox WHERE id IN (SELECT id FROM purged);
                DELETE FROM push_bodies WHERE id IN (SELECT body_id FROM purged WHERE body_id IS NOT NULL)
                    AND NOT EXISTS (SELECT 1 FROM inbox i WHERE i.body_id = push_bodies.id);
                """;
            command.Parameters.AddWithValue("$id", SqliteDatabase.Nullable(entryId));
            command.ExecuteNonQuery();
            return Convert.ToInt32(SqliteDatabase.Scalar(connection, "SELECT count(*) FROM purged"), CultureInfo.InvariantCulture);
        }, cancellationToken).AsTask();
}
