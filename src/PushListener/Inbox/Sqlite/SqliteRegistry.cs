using Microsoft.Data.Sqlite;
using PushListener.Subscriptions;

namespace PushListener.Inbox.Sqlite;

/// <summary>
/// The subscription registry's writes, run inside the group-commit transaction of the append they belong to: the entry,
/// the registry row and any lifecycle entries commit together, so a restart never sees a watermark the inbox lacks
/// (no false gaps) and a gap event always precedes the notification that revealed it.
/// </summary>
internal static class SqliteRegistry
{
    private static readonly string[] CountColumns = ["c_copied", "c_created", "c_deleted", "c_modified", "c_moved", "c_newmail", "c_status", "c_freebusy"];

    private static readonly string UpsertSubscription = $"""
        INSERT INTO subscriptions (subscription_id, state, registration, first_seen, last_seen, last_watermark, last_previous_watermark, request_server_version,
            expected_interval_ms, interval_source, last_push_heartbeat, notifications, gaps, {string.Join(", ", CountColumns)}, last_error, last_error_at)
        VALUES ($sub, $state, $registration, $now, $now, $wm, $prev, $version, $interval, $source, $hb, 1, $gap, {string.Join(", ", CountColumns.Select((_, i) => "$c" + i))},
            $error, $errorAt)
        ON CONFLICT (subscription_id) DO UPDATE SET
            state = $state,
            registration = coalesce($registration, registration),
            last_seen = $now,
            last_watermark = coalesce($wm, last_watermark),
            last_previous_watermark = coalesce($prev, last_previous_watermark),
            request_server_version = coalesce($version, request_server_version),
            expected_interval_ms = CASE WHEN interval_source = 'registered' AND $source = 'learned' THEN expected_interval_ms ELSE coalesce($interval, expected_interval_ms) END,
            interval_source = CASE WHEN interval_source = 'registered' AND $source = 'learned' THEN interval_source ELSE coalesce($source, interval_source) END,
            last_push_heartbeat = $hb,
            notifications = notifications + 1,
            gaps = gaps + $gap,
            {string.Join(", ", CountColumns.Select((c, i) => $"{c} = {c} + $c{i}"))},
            last_error = coalesce($error, last_error),
            last_error_at = coalesce($errorAt, last_error_at)
        """;

    public static AppendResult Append(SqliteConnection connection, InboxAppend append) => Append(connection, append, null);

    /// <summary>Appends; <paramref name="inserted"/>, when given, receives the entries written, in id order.</summary>
    public static AppendResult Append(SqliteConnection connection, InboxAppend append, List<StoredEntry>? inserted)
    {
        {
            var existing = connection.Statement("""
                SELECT i.id, i.state, i.vote, s.state FROM inbox i LEFT JOIN subscriptions s ON s.subscription_id = i.subscription_id
                WHERE i.dedupe_hash = $hash
                """);
            existing.Parameters.AddWithValue("$hash", HashKey(append.DedupeKey));
            using var reader = existing.ExecuteReader();
            if (reader.Read())
            {
                // A retry of something already stored: nothing changes, not even the registry (no false gap on duplicates).
                var subscriptionState = reader.IsDBNull(3) ? (SubscriptionState?)null : (SubscriptionState)reader.GetInt32(3);
                return new AppendResult(
                    reader.GetInt64(0),
                    IsDuplicate: true,
                    (EntryState)reader.GetInt32(1),
                    reader.IsDBNull(2) ? null : (SubscriptionStatus)reader.GetInt32(2),
                    Unsubscribe: subscriptionState is SubscriptionState.Unsubscribing or SubscriptionState.Unsubscribed);
            }
        }

        var lifecycleEvents = 0;
        var unsubscribe = false;
        if (append.SubscriptionId is { } subscription && append.Registry is { } update)
        {
            (lifecycleEvents, unsubscribe) = UpdateRegistry(connection, subscription, append, update, inserted);
        }

        var id = InsertEntry(connection, EntryKind.Notification, append.DedupeKey, append.SubscriptionId, append.MessageIndex, append.ReceivedAt, append.RequestServerVersion, append.Registry?.Registration, append.Body);
        // The dispatcher holds the parsed message; it needs the row's coordinates, not its body.
        inserted?.Add(new StoredEntry(id, EntryKind.Notification, append.DedupeKey, append.SubscriptionId, append.MessageIndex, append.ReceivedAt, append.RequestServerVersion, append.Registry?.Registration, [], 0, NoHandlers));
        return new AppendResult(id, IsDuplicate: false, EntryState.Pending, Vote: null, unsubscribe, lifecycleEvents);
    }

    private static readonly IReadOnlySet<string> NoHandlers = new HashSet<string>();

    private static (int LifecycleEvents, bool Unsubscribe) UpdateRegistry(SqliteConnection connection, string subscription, InboxAppend append, RegistryUpdate update, List<StoredEntry>? inserted)
    {
        var now = append.ReceivedAt;
        SubscriptionState? state = null;
        string? lastWatermark = null;
        string? registration = null;
        long lastSeen = 0;
        var lastPushHeartbeat = false;
        {
            var select = connection.Statement("SELECT state, last_watermark, last_seen, last_push_heartbeat, registration FROM subscriptions WHERE subscription_id = $sub");
            select.Parameters.AddWithValue("$sub", subscription);
            using var reader = select.ExecuteReader();
            if (reader.Read())
            {
                state = (SubscriptionState)reader.GetInt32(0);
                lastWatermark = reader.IsDBNull(1) ? null : reader.GetString(1);
                lastSeen = reader.GetInt64(2);
                lastPushHeartbeat = reader.GetInt64(3) != 0;
                registration = reader.IsDBNull(4) ? null : reader.GetString(4);
            }
        }

        registration = update.Registration ?? registration;
        var lifecycle = new List<LifecycleEvent>(1);
        if (state == SubscriptionState.Silent)
        {
            lifecycle.Add(new LifecycleEvent(LifecycleKind.Resumed, subscription, now) { LastSeen = DateTimeOffset.FromUnixTimeMilliseconds(lastSeen) });
        }

        var gap = lastWatermark is not null && update.PreviousWatermark is not null && !string.Equals(lastWatermark, update.PreviousWatermark, StringComparison.Ordinal);
        if (gap)
        {
            lifecycle.Add(new LifecycleEvent(LifecycleKind.GapDetected, subscription, now) { LastStoredWatermark = lastWatermark, ReceivedPreviousWatermark = update.PreviousWatermark });
        }

        if (update.IsError)
        {
            lifecycle.Add(new LifecycleEvent(LifecycleKind.Failed, subscription, now) { ResponseCode = update.ResponseCode, MessageText = update.MessageText });
        }

        foreach (var e in lifecycle)
        {
            var key = "l:" + Guid.NewGuid().ToString("N");
            var body = LifecycleSerializer.Serialize(e);
            var id = InsertEntry(connection, EntryKind.Lifecycle, key, subscription, 0, now, append.RequestServerVersion, registration, body);
            inserted?.Add(new StoredEntry(id, EntryKind.Lifecycle, key, subscription, 0, now, append.RequestServerVersion, registration, body, 0, NoHandlers));
        }

        var unsubscribe = state is SubscriptionState.Unsubscribing or SubscriptionState.Unsubscribed;
        var newState = unsubscribe ? SubscriptionState.Unsubscribed : update.IsError ? SubscriptionState.Failed : SubscriptionState.Active;

        // Heartbeat spacing teaches the watchdog the StatusFrequency when no registration states it.
        long? intervalMs = null;
        string? intervalSource = null;
        if (update.RegisteredInterval is { } registered)
        {
            intervalMs = (long)registered.TotalMilliseconds;
            intervalSource = "registered";
        }
        else if (update.IsHeartbeat && lastPushHeartbeat && lastSeen > 0)
        {
            intervalMs = now.ToUnixTimeMilliseconds() - lastSeen;
            intervalSource = "learned";
        }

        var upsert = connection.Statement(UpsertSubscription);
        upsert.Parameters.AddWithValue("$sub", subscription);
        upsert.Parameters.AddWithValue("$state", (int)newState);
        upsert.Parameters.AddWithValue("$registration", (object?)registration ?? DBNull.Value);
        upsert.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
        upsert.Parameters.AddWithValue("$wm", (object?)update.LastWatermark ?? DBNull.Value);
        upsert.Parameters.AddWithValue("$prev", (object?)update.PreviousWatermark ?? DBNull.Value);
        upsert.Parameters.AddWithValue("$version", (object?)append.RequestServerVersion ?? DBNull.Value);
        upsert.Parameters.AddWithValue("$interval", (object?)intervalMs ?? DBNull.Value);
        upsert.Parameters.AddWithValue("$source", (object?)intervalSource ?? DBNull.Value);
        upsert.Parameters.AddWithValue("$hb", update.IsHeartbeat ? 1 : 0);
        upsert.Parameters.AddWithValue("$gap", gap ? 1 : 0);
        for (var i = 0; i < CountColumns.Length; i++)
        {
            upsert.Parameters.AddWithValue("$c" + i, update.EventCounts[i]);
        }

        upsert.Parameters.AddWithValue("$error", update.IsError ? $"{update.ResponseCode}: {update.MessageText}" : DBNull.Value);
        upsert.Parameters.AddWithValue("$errorAt", update.IsError ? now.ToUnixTimeMilliseconds() : DBNull.Value);
        upsert.ExecuteNonQuery();
        return (lifecycle.Count, unsubscribe);
    }

    /// <summary>Marks active subscriptions silent past twice their expected interval, with a lifecycle entry each.</summary>
    public static List<LifecycleEvent> DetectSilent(SqliteConnection connection, DateTimeOffset now)
    {
        var silent = new List<(string Subscription, long LastSeen, long Interval, string? Registration)>();
        using (var select = connection.CreateCommand())
        {
            select.CommandText = """
                SELECT subscription_id, last_seen, expected_interval_ms, registration FROM subscriptions
                WHERE state = 0 AND expected_interval_ms IS NOT NULL AND last_seen + 2 * expected_interval_ms < $now
                """;
            select.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
            using var reader = select.ExecuteReader();
            while (reader.Read())
            {
                silent.Add((reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2), reader.IsDBNull(3) ? null : reader.GetString(3)));
            }
        }

        var events = new List<LifecycleEvent>(silent.Count);
        foreach (var (subscription, lastSeen, interval, registration) in silent)
        {
            var lifecycle = new LifecycleEvent(LifecycleKind.Silent, subscription, now)
            {
                LastSeen = DateTimeOffset.FromUnixTimeMilliseconds(lastSeen),
                ExpectedInterval = TimeSpan.FromMilliseconds(interval),
            };
            using var update = connection.CreateCommand();
            update.CommandText = "UPDATE subscriptions SET state = 1 WHERE subscription_id = $sub AND state = 0";
            update.Parameters.AddWithValue("$sub", subscription);
            update.ExecuteNonQuery();
            InsertEntry(connection, EntryKind.Lifecycle, "l:" + Guid.NewGuid().ToString("N"), subscription, 0, now, null, registration, LifecycleSerializer.Serialize(lifecycle));
            events.Add(lifecycle);
        }

        return events;
    }

    public static SubscriptionRecord Read(SqliteDataReader reader)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        for (var i = 0; i < CountColumns.Length; i++)
        {
            counts[((EventKind)i).ToString()] = reader.GetInt64(13 + i);
        }

        return new SubscriptionRecord(
            reader.GetString(0),
            (SubscriptionState)reader.GetInt32(1),
            reader.IsDBNull(2) ? null : reader.GetString(2),
            DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)),
            DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)),
            reader.IsDBNull(5) ? null : reader.GetString(5),
            reader.IsDBNull(6) ? null : reader.GetString(6),
            reader.IsDBNull(7) ? null : reader.GetString(7),
            reader.IsDBNull(8) ? null : reader.GetInt64(8) / 1000,
            reader.IsDBNull(9) ? null : reader.GetString(9),
            reader.GetInt64(10),
            reader.GetInt64(11),
            counts,
            reader.IsDBNull(12) ? null : reader.GetString(12),
            reader.IsDBNull(21) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(21)));
    }

    public const string SelectColumns = """
        subscription_id, state, registration, first_seen, last_seen, last_watermark, last_previous_watermark, request_server_version,
        expected_interval_ms, interval_source, notifications, gaps, last_error,
        c_copied, c_created, c_deleted, c_modified, c_moved, c_newmail, c_status, c_freebusy, last_error_at
        """;

    private static long InsertEntry(SqliteConnection connection, EntryKind kind, string key, string? subscription, int index, DateTimeOffset receivedAt, string? version, string? registration, byte[] body)
    {
        var insert = connection.Statement("""
            INSERT INTO inbox (kind, dedupe_key, dedupe_hash, subscription_id, message_index, received_at, request_server_version, registration)
            VALUES ($kind, $key, $hash, $sub, $index, $received, $version, $registration)
            RETURNING id
            """);
        insert.Parameters.AddWithValue("$kind", (int)kind);
        insert.Parameters.AddWithValue("$key", key);
        insert.Parameters.AddWithValue("$hash", HashKey(key));
        insert.Parameters.AddWithValue("$sub", (object?)subscription ?? DBNull.Value);
        insert.Parameters.AddWithValue("$index", index);
        insert.Parameters.AddWithValue("$received", receivedAt.ToUnixTimeMilliseconds());
        insert.Parameters.AddWithValue("$version", (object?)version ?? DBNull.Value);
        insert.Parameters.AddWithValue("$registration", (object?)registration ?? DBNull.Value);
        var id = (long)insert.ExecuteScalar()!;
        var storeBody = connection.Statement("INSERT INTO inbox_bodies (id, body) VALUES ($id, $body)");
        storeBody.Parameters.AddWithValue("$id", id);
        storeBody.Parameters.AddWithValue("$body", body);
        storeBody.ExecuteNonQuery();
        return id;
    }

    /// <summary>The indexed form of a dedupe key.</summary>
    public static byte[] HashKey(string key) => System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key));
}
