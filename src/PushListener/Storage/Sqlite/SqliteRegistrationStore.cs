using PushListener.Subscriptions;

namespace PushListener.Storage.Sqlite;

/// <summary>Registrations made through the admin API in SQLite (<c>registrations</c>); links come from the registry.</summary>
internal sealed class SqliteRegistrationStore(SqliteDatabase database) : IRegistrationStore
{
    public async Task<IReadOnlyList<Registration>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenReadAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT name, mailbox, status_frequency, owner_tag, subscription_ids, token_hash FROM registrations ORDER BY name";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var registrations = new List<Registration>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            registrations.Add(new Registration(
                reader.GetString(0),
                SqliteDatabase.StringOrNull(reader, 1),
                reader.IsDBNull(2) ? null : reader.GetInt32(2),
                SqliteDatabase.StringOrNull(reader, 3),
                reader.GetString(4).Split('\n', StringSplitOptions.RemoveEmptyEntries),
                SqliteDatabase.StringOrNull(reader, 5),
                "api"));
        }

        return registrations;
    }

    public Task UpsertAsync(Registration registration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(registration);
        return database.WriteAsync(connection =>
        {
            using var command = connection.CreateCommand();
            // The stored name follows the latest spelling; names compare case-insensitively (COLLATE NOCASE).
            command.CommandText = """
                INSERT INTO registrations (name, mailbox, status_frequency, owner_tag, subscription_ids, token_hash, updated_at)
                VALUES ($name, $mailbox, $frequency, $owner, $ids, $token, $now)
                ON CONFLICT (name) DO UPDATE SET name = $name, mailbox = $mailbox, status_frequency = $frequency, owner_tag = $owner, subscription_ids = $ids, token_hash = $token, updated_at = $now
                """;
            command.Parameters.AddWithValue("$name", registration.Name);
            command.Parameters.AddWithValue("$mailbox", SqliteDatabase.Nullable(registration.Mailbox));
            command.Parameters.AddWithValue("$frequency", SqliteDatabase.Nullable(registration.StatusFrequency));
            command.Parameters.AddWithValue("$owner", SqliteDatabase.Nullable(registration.OwnerTag));
            command.Parameters.AddWithValue("$ids", string.Join('\n', registration.SubscriptionIds));
            command.Parameters.AddWithValue("$token", SqliteDatabase.Nullable(registration.TokenHash));
            command.Parameters.AddWithValue("$now", database.Time.GetUtcNow().ToUnixTimeMilliseconds());
            return command.ExecuteNonQuery();
        }, cancellationToken).AsTask();
    }

    public async Task<bool> DeleteAsync(string name, CancellationToken cancellationToken) =>
        await database.WriteAsync(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = "DELETE FROM registrations WHERE name = $name";
            command.Parameters.AddWithValue("$name", name);
            return command.ExecuteNonQuery() > 0;
        }, cancellationToken).ConfigureAwait(false);

    public async Task<IReadOnlyDictionary<string, string>> ListLinksAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenReadAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT subscription_id, registration FROM subscriptions WHERE registration IS NOT NULL";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var links = new Dictionary<string, string>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            links[reader.GetString(0)] = reader.GetString(1);
        }

        return links;
    }
}
