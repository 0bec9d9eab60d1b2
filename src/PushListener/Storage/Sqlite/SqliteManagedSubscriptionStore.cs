using Microsoft.Data.Sqlite;
using PushListener.Subscriptions.Management;

namespace PushListener.Storage.Sqlite;

/// <summary>Managed subscriptions in SQLite (<c>managed_subscriptions</c>); a step's lifecycle events go into the entry log in the same transaction.</summary>
internal sealed class SqliteManagedSubscriptionStore(SqliteDatabase database) : IManagedSubscriptionStore
{
    private const string Columns = "registration, state, subscription_id, watermark, watermark_at, subscribed_at, last_error, last_error_at, failed_attempts, next_attempt_at, renew_reason, renew_watermark, callback_token, definition, generation, gaps_seen, last_push_at";

    public async Task<IReadOnlyList<ManagedSubscription>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenReadAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM managed_subscriptions ORDER BY registration";
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
        await using var connection = await database.OpenReadAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM managed_subscriptions WHERE registration = $name";
        command.Parameters.AddWithValue("$name", registration);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? Read(reader) : null;
    }

    public Task SaveAsync(ManagedSubscription subscription, IReadOnlyList<LifecycleEvent> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        ArgumentNullException.ThrowIfNull(events);
        return database.WriteAsync(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"""
                INSERT INTO managed_subscriptions ({Columns})
                VALUES ($name, $state, $sub, $watermark, $watermarkAt, $subscribedAt, $error, $errorAt, $attempts, $next, $reason, $renewWatermark, $token, $definition, $generation, $gaps, $lastPush)
                ON CONFLICT (registration) DO UPDATE SET registration = $name, state = $state, subscription_id = $sub, watermark = $watermark,
                    watermark_at = $watermarkAt, subscribed_at = $subscribedAt, last_error = $error, last_error_at = $errorAt, failed_attempts = $attempts,
                    next_attempt_at = $next, renew_reason = $reason, renew_watermark = $renewWatermark, callback_token = $token, definition = $definition,
                    generation = $generation, gaps_seen = $gaps, last_push_at = $lastPush
                """;
            Bind(command, subscription);
            command.ExecuteNonQuery();
            foreach (var lifecycle in events)
            {
                SqliteEntryRows.InsertLifecycle(connection, lifecycle, null, subscription.Registration, null);
            }

            return 0;
        }, cancellationToken).AsTask();
    }

    public async Task<bool> RequestRenewAsync(string registration, string? subscriptionId, string reason, string? watermark, bool evenIfStopped, CancellationToken cancellationToken) =>
        await database.WriteAsync(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = """
                UPDATE managed_subscriptions SET state = $renewing, renew_reason = $reason, renew_watermark = $watermark, next_attempt_at = NULL
                WHERE registration = $name AND subscription_id IS NOT NULL AND ($sub IS NULL OR subscription_id = $sub) AND ($evenIfStopped OR state <> $stopped)
                """;
            command.Parameters.AddWithValue("$renewing", (int)ManagedSubscriptionState.Renewing);
            command.Parameters.AddWithValue("$stopped", (int)ManagedSubscriptionState.Stopped);
            command.Parameters.AddWithValue("$reason", reason);
            command.Parameters.AddWithValue("$watermark", SqliteDatabase.Nullable(watermark));
            command.Parameters.AddWithValue("$name", registration);
            command.Parameters.AddWithValue("$sub", SqliteDatabase.Nullable(subscriptionId));
            command.Parameters.AddWithValue("$evenIfStopped", evenIfStopped);
            return command.ExecuteNonQuery() > 0;
        }, cancellationToken).ConfigureAwait(false);

    public async Task<bool> DeleteAsync(string registration, CancellationToken cancellationToken) =>
        await database.WriteAsync(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = "DELETE FROM managed_subscriptions WHERE registration = $name";
            command.Parameters.AddWithValue("$name", registration);
            return command.ExecuteNonQuery() > 0;
        }, cancellationToken).ConfigureAwait(false);

    private static void Bind(SqliteCommand command, ManagedSubscription s)
    {
        command.Parameters.AddWithValue("$name", s.Registration);
        command.Parameters.AddWithValue("$state", (int)s.State);
        command.Parameters.AddWithValue("$sub", SqliteDatabase.Nullable(s.SubscriptionId));
        command.Parameters.AddWithValue("$watermark", SqliteDatabase.Nullable(s.Watermark));
        command.Parameters.AddWithValue("$watermarkAt", SqliteDatabase.Nullable(s.WatermarkAt?.ToUnixTimeMilliseconds()));
        command.Parameters.AddWithValue("$subscribedAt", SqliteDatabase.Nullable(s.SubscribedAt?.ToUnixTimeMilliseconds()));
        command.Parameters.AddWithValue("$error", SqliteDatabase.Nullable(s.LastError));
        command.Parameters.AddWithValue("$errorAt", SqliteDatabase.Nullable(s.LastErrorAt?.ToUnixTimeMilliseconds()));
        command.Parameters.AddWithValue("$attempts", s.FailedAttempts);
        command.Parameters.AddWithValue("$next", SqliteDatabase.Nullable(s.NextAttemptAt?.ToUnixTimeMilliseconds()));
        command.Parameters.AddWithValue("$reason", SqliteDatabase.Nullable(s.RenewReason));
        command.Parameters.AddWithValue("$renewWatermark", SqliteDatabase.Nullable(s.RenewWatermark));
        command.Parameters.AddWithValue("$token", s.CallbackToken);
        command.Parameters.AddWithValue("$definition", SqliteDatabase.Nullable(s.Definition is { } d ? ManagedRegistrationJson.Serialize(d) : null));
        command.Parameters.AddWithValue("$generation", s.Generation);
        command.Parameters.AddWithValue("$gaps", s.GapsSeen);
        command.Parameters.AddWithValue("$lastPush", SqliteDatabase.Nullable(s.LastPushAt?.ToUnixTimeMilliseconds()));
    }

    private static ManagedSubscription Read(SqliteDataReader reader) => new()
    {
        Registration = reader.GetString(0),
        State = (ManagedSubscriptionState)reader.GetInt32(1),
        SubscriptionId = SqliteDatabase.StringOrNull(reader, 2),
        Watermark = SqliteDatabase.StringOrNull(reader, 3),
        WatermarkAt = SqliteDatabase.TimeOrNull(reader, 4),
        SubscribedAt = SqliteDatabase.TimeOrNull(reader, 5),
        LastError = SqliteDatabase.StringOrNull(reader, 6),
        LastErrorAt = SqliteDatabase.TimeOrNull(reader, 7),
        FailedAttempts = reader.GetInt32(8),
        NextAttemptAt = SqliteDatabase.TimeOrNull(reader, 9),
        RenewReason = SqliteDatabase.StringOrNull(reader, 10),
        RenewWatermark = SqliteDatabase.StringOrNull(reader, 11),
        CallbackToken = reader.GetString(12),
        Definition = SqliteDatabase.StringOrNull(reader, 13) is { } json ? ManagedRegistrationJson.Deserialize(json) : null,
        Generation = reader.GetInt32(14),
        GapsSeen = reader.GetInt64(15),
        LastPushAt = SqliteDatabase.TimeOrNull(reader, 16),
    };
}
