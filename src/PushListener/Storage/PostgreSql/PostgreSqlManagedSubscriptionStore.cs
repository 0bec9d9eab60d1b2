using Npgsql;
using PushListener.Inbox;
using PushListener.Subscriptions;
using PushListener.Subscriptions.Management;

namespace PushListener.Storage.PostgreSql;

/// <summary>
/// Managed subscriptions in the shared database (<c>managed_subscriptions</c>, names case-insensitive). A step's
/// lifecycle events go into the entry log in the same transaction, with the notification that wakes the dispatchers of
/// every instance; a save also tells the other instances to reload the callback tokens (pushes to a new subscription's
/// URL may reach any instance behind the load balancer).
/// </summary>
internal sealed class PostgreSqlManagedSubscriptionStore(PostgreSqlDatabase database) : IManagedSubscriptionStore
{
    private const string Columns = "registration, state, subscription_id, watermark, watermark_at, subscribed_at, last_error, last_error_at, failed_attempts, next_attempt_at, renew_reason, renew_watermark, callback_token, definition, generation, gaps_seen, last_push_at";

    public async Task<IReadOnlyList<ManagedSubscription>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = PostgreSqlSql.Command(connection, $"SELECT {Columns} FROM managed_subscriptions ORDER BY registration_key", null);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var list = new List<ManagedSubscription>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            list.Add(Read(reader));
        }

        return list;
    }

    public async Task<ManagedSubscription?> GetAsync(string registration, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = PostgreSqlSql.Command(connection, $"SELECT {Columns} FROM managed_subscriptions WHERE registration_key = lower($1)", null, registration);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? Read(reader) : null;
    }

    public async Task SaveAsync(ManagedSubscription subscription, IReadOnlyList<LifecycleEvent> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        ArgumentNullException.ThrowIfNull(events);
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var batch = new NpgsqlBatch(connection, transaction);
        var s = subscription;
        batch.BatchCommands.Add(PostgreSqlSql.BatchCommand(
            $"""
            INSERT INTO managed_subscriptions (registration_key, {Columns})
            VALUES (lower($1), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
            ON CONFLICT (registration_key) DO UPDATE SET registration = EXCLUDED.registration, state = EXCLUDED.state, subscription_id = EXCLUDED.subscription_id,
                watermark = EXCLUDED.watermark, watermark_at = EXCLUDED.watermark_at, subscribed_at = EXCLUDED.subscribed_at, last_error = EXCLUDED.last_error,
                last_error_at = EXCLUDED.last_error_at, failed_attempts = EXCLUDED.failed_attempts, next_attempt_at = EXCLUDED.next_attempt_at,
                renew_reason = EXCLUDED.renew_reason, renew_watermark = EXCLUDED.renew_watermark, callback_token = EXCLUDED.callback_token,
                definition = EXCLUDED.definition, generation = EXCLUDED.generation, gaps_seen = EXCLUDED.gaps_seen, last_push_at = EXCLUDED.last_push_at
            """,
            s.Registration,
            (short)s.State,
            s.SubscriptionId,
            s.Watermark,
            Utc(s.WatermarkAt),
            Utc(s.SubscribedAt),
            s.LastError,
            Utc(s.LastErrorAt),
            s.FailedAttempts,
            Utc(s.NextAttemptAt),
            s.RenewReason,
            s.RenewWatermark,
            s.CallbackToken,
            s.Definition is { } d ? ManagedRegistrationJson.Serialize(d) : null,
            s.Generation,
            s.GapsSeen,
            Utc(s.LastPushAt)));

        foreach (var lifecycle in events)
        {
            var key = "l:" + Guid.NewGuid().ToString("N");
            batch.BatchCommands.Add(PostgreSqlSql.BatchCommand(
                """
                INSERT INTO entries (kind, dedupe_hash, dedupe_key, subscription_id, message_index, received_at, registration, lifecycle)
                VALUES ($1, $2, $3, $4, 0, $5, $6, $7)
                """,
                (short)EntryKind.Lifecycle,
                PostgreSqlSql.Hash(key),
                key,
                lifecycle.SubscriptionId,
                PostgreSqlSql.Utc(lifecycle.OccurredAt),
                s.Registration,
                LifecycleSerializer.Serialize(lifecycle)));
        }

        if (events.Count > 0)
        {
            batch.BatchCommands.Add(PostgreSqlNotifier.Notify(PostgreSqlChannels.Entries, null));
        }

        batch.BatchCommands.Add(PostgreSqlNotifier.Notify(PostgreSqlChannels.Catalog, PostgreSqlChannels.CatalogManaged));
        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> RequestRenewAsync(string registration, string? subscriptionId, string reason, string? watermark, bool evenIfStopped, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var changed = await PostgreSqlSql.ExecuteAsync(
            connection,
            null,
            """
            UPDATE managed_subscriptions SET state = $1, renew_reason = $3, renew_watermark = $4, next_attempt_at = NULL
            WHERE registration_key = lower($5) AND subscription_id IS NOT NULL AND ($6::text IS NULL OR subscription_id = $6::text) AND ($7 OR state <> $2)
            """,
            cancellationToken,
            (short)ManagedSubscriptionState.Renewing,
            (short)ManagedSubscriptionState.Stopped,
            reason,
            watermark,
            registration,
            subscriptionId,
            evenIfStopped).ConfigureAwait(false);
        return changed > 0;
    }

    public async Task<bool> DeleteAsync(string registration, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await PostgreSqlSql.ExecuteAsync(connection, null, "DELETE FROM managed_subscriptions WHERE registration_key = lower($1)", cancellationToken, registration).ConfigureAwait(false) > 0;
    }

    private static DateTimeOffset? Utc(DateTimeOffset? value) => value is { } v ? PostgreSqlSql.Utc(v) : null;

    private static ManagedSubscription Read(NpgsqlDataReader reader) => new()
    {
        Registration = reader.GetString(0),
        State = (ManagedSubscriptionState)reader.GetInt16(1),
        SubscriptionId = PostgreSqlSql.NullableString(reader, 2),
        Watermark = PostgreSqlSql.NullableString(reader, 3),
        WatermarkAt = PostgreSqlSql.NullableTime(reader, 4),
        SubscribedAt = PostgreSqlSql.NullableTime(reader, 5),
        LastError = PostgreSqlSql.NullableString(reader, 6),
        LastErrorAt = PostgreSqlSql.NullableTime(reader, 7),
        FailedAttempts = reader.GetInt32(8),
        NextAttemptAt = PostgreSqlSql.NullableTime(reader, 9),
        RenewReason = PostgreSqlSql.NullableString(reader, 10),
        RenewWatermark = PostgreSqlSql.NullableString(reader, 11),
        CallbackToken = reader.GetString(12),
        Definition = PostgreSqlSql.NullableString(reader, 13) is { } json ? ManagedRegistrationJson.Deserialize(json) : null,
        Generation = reader.GetInt32(14),
        GapsSeen = reader.GetInt64(15),
        LastPushAt = PostgreSqlSql.NullableTime(reader, 16),
    };
}
