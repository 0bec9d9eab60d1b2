using Npgsql;
using PushListener.Subscriptions;

namespace PushListener.Storage.PostgreSql;

/// <summary>Registrations made through the admin API, in the shared database (names case-insensitive).</summary>
internal sealed class PostgreSqlRegistrationStore(PostgreSqlDatabase database, TimeProvider time) : IRegistrationStore
{
    public async Task<IReadOnlyList<Registration>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = PostgreSqlSql.Command(connection, "SELECT name, mailbox, status_frequency, owner_tag, subscription_ids, token_hash FROM registrations ORDER BY name_key", null);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var registrations = new List<Registration>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            registrations.Add(new Registration(
                reader.GetString(0),
                PostgreSqlSql.NullableString(reader, 1),
                reader.IsDBNull(2) ? null : reader.GetInt32(2),
                PostgreSqlSql.NullableString(reader, 3),
                reader.GetFieldValue<string[]>(4),
                PostgreSqlSql.NullableString(reader, 5),
                "api"));
        }

        return registrations;
    }

    public async Task UpsertAsync(Registration registration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(registration);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var batch = new NpgsqlBatch(connection);
        batch.BatchCommands.Add(PostgreSqlSql.BatchCommand(
            """
            INSERT INTO registrations (name_key, name, mailbox, status_frequency, owner_tag, subscription_ids, token_hash, updated_at)
            VALUES (lower($1), $1, $2, $3, $4, $5, $6, $7)
            ON CONFLICT (name_key) DO UPDATE SET name = EXCLUDED.name, mailbox = EXCLUDED.mailbox, status_frequency = EXCLUDED.status_frequency,
                owner_tag = EXCLUDED.owner_tag, subscription_ids = EXCLUDED.subscription_ids, token_hash = EXCLUDED.token_hash, updated_at = EXCLUDED.updated_at
            """,
            registration.Name,
            registration.Mailbox,
            registration.StatusFrequency,
            registration.OwnerTag,
            registration.SubscriptionIds.ToArray(),
            registration.TokenHash,
            PostgreSqlSql.Utc(time.GetUtcNow())));

        // The other instances load it at the commit (their catalogs serve tokens and links on the request path).
        batch.BatchCommands.Add(PostgreSqlNotifier.Notify(PostgreSqlChannels.Catalog, PostgreSqlChannels.CatalogRegistrations));
        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> DeleteAsync(string name, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var batch = new NpgsqlBatch(connection);
        batch.BatchCommands.Add(PostgreSqlSql.BatchCommand("DELETE FROM registrations WHERE name_key = lower($1)", name));
        batch.BatchCommands.Add(PostgreSqlNotifier.Notify(PostgreSqlChannels.Catalog, PostgreSqlChannels.CatalogRegistrations));
        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return batch.BatchCommands[0].RecordsAffected > 0;
    }

    public async Task<IReadOnlyDictionary<string, string>> ListLinksAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = PostgreSqlSql.Command(connection, "SELECT subscription_id, registration FROM subscriptions WHERE registration IS NOT NULL", null);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var links = new Dictionary<string, string>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            links[reader.GetString(0)] = reader.GetString(1);
        }

        return links;
    }
}
