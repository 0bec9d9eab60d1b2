using Microsoft.Data.Sqlite;
using PushListener.Subscriptions;

namespace PushListener.Storage.Sqlite;

/// <summary>
/// Reads and writes of subscription rows: the snapshot <see cref="SubscriptionRules"/> decides on, and its decision
/// persisted. Writer thread only, inside the transaction of the append (or silence check) they belong to.
/// </summary>
internal static class SqliteSubscriptionRows
{
    public const string SelectColumns = """
        subscription_id, state, registration, first_seen, last_seen, last_watermark, last_previous_watermark, request_server_version,
        expected_interval_ms, interval_source, notifications, gaps, last_error,
        c_copied, c_created, c_deleted, c_modified, c_moved, c_newmail, c_status, c_freebusy, last_error_at
        """;

    private static readonly string[] CountColumns = ["c_copied", "c_created", "c_deleted", "c_modified", "c_moved", "c_newmail", "c_status", "c_freebusy"];

    private static readonly string Upsert = $"""
        INSERT INTO subscriptions (subscription_id, state, registration, first_seen, last_seen, last_watermark, last_previous_watermark, request_server_version,
            expected_interval_ms, interval_source, last_push_heartbeat, notifications, gaps, {string.Join(", ", CountColumns)}, last_error, last_error_at)
        VALUES ($sub, $state, $registration, $now, $now, $wm, $prev, $version, $interval, $source, $hb, 1, $gap, {string.Join(", ", CountColumns.Select((_, i) => "$c" + i))},
            $error, $errorAt)
        ON CONFLICT (subscription_id) DO UPDATE SET
            state = $state,
            registration = $registration,
            last_seen = $now,
            last_watermark = coalesce($wm, last_watermark),
            last_previous_watermark = coalesce($prev, last_previous_watermark),
            request_server_version = coalesce($version, request_server_version),
            expected_interval_ms = coalesce($interval, expected_interval_ms),
            interval_source = coalesce($source, interval_source),
            last_push_heartbeat = $hb,
            notifications = notifications + 1,
            gaps = gaps + $gap,
            {string.Join(", ", CountColumns.Select((c, i) => $"{c} = {c} + $c{i}"))},
            last_error = coalesce($error, last_error),
            last_error_at = coalesce($errorAt, last_error_at)
        """;

    /// <summary>Reads a snapshot from 7 columns starting at <paramref name="first"/>: state, last_watermark, last_seen, last_push_heartbeat, registration, expected_interval_ms, interval_source.</summary>
    public static SubscriptionSnapshot Snapshot(SqliteDataReader reader, int first) => new(
        (SubscriptionState)reader.GetInt32(first),
        SqliteDatabase.StringOrNull(reader, first + 1),
        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(first + 2)),
        reader.GetInt64(first + 3) != 0,
        SqliteDatabase.StringOrNull(reader, first + 4),
        reader.IsDBNull(first + 5) ? null : TimeSpan.FromMilliseconds(reader.GetInt64(first + 5)),
        SqliteDatabase.StringOrNull(reader, first + 6));

    /// <summary>Persists what <see cref="SubscriptionRules.OnPush"/> decided for a stored message.</summary>
    public static void Persist(SqliteConnection connection, string subscription, PushDecision decision, RegistryUpdate observed, DateTimeOffset at, string? version)
    {
        var upsert = connection.Statement(Upsert);
        upsert.Parameters.AddWithValue("$sub", subscription);
        upsert.Parameters.AddWithValue("$state", (int)decision.State);
        upsert.Parameters.AddWithValue("$registration", SqliteDatabase.Nullable(decision.Registration));
        upsert.Parameters.AddWithValue("$now", at.ToUnixTimeMilliseconds());
        upsert.Parameters.AddWithValue("$wm", SqliteDatabase.Nullable(observed.LastWatermark));
        upsert.Parameters.AddWithValue("$prev", SqliteDatabase.Nullable(observed.PreviousWatermark));
        upsert.Parameters.AddWithValue("$version", SqliteDatabase.Nullable(version));
        upsert.Parameters.AddWithValue("$interval", decision.ExpectedInterval is { } interval ? (long)interval.TotalMilliseconds : DBNull.Value);
        upsert.Parameters.AddWithValue("$source", SqliteDatabase.Nullable(decision.IntervalSource));
        upsert.Parameters.AddWithValue("$hb", observed.IsHeartbeat ? 1 : 0);
        upsert.Parameters.AddWithValue("$gap", decision.Gap ? 1 : 0);
        for (var i = 0; i < CountColumns.Length; i++)
        {
            upsert.Parameters.AddWithValue("$c" + i, observed.EventCounts[i]);
        }

        upsert.Parameters.AddWithValue("$error", observed.IsError ? $"{observed.ResponseCode}: {observed.MessageText}" : DBNull.Value);
        upsert.Parameters.AddWithValue("$errorAt", observed.IsError ? at.ToUnixTimeMilliseconds() : DBNull.Value);
        upsert.ExecuteNonQuery();
    }

    /// <summary>A registry row as the admin API shows it, from the columns of <see cref="SelectColumns"/>.</summary>
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
            SqliteDatabase.StringOrNull(reader, 2),
            DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)),
            DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)),
            SqliteDatabase.StringOrNull(reader, 5),
            SqliteDatabase.StringOrNull(reader, 6),
            SqliteDatabase.StringOrNull(reader, 7),
            reader.IsDBNull(8) ? null : reader.GetInt64(8) / 1000,
            SqliteDatabase.StringOrNull(reader, 9),
            reader.GetInt64(10),
            reader.GetInt64(11),
            counts,
            SqliteDatabase.StringOrNull(reader, 12),
            SqliteDatabase.TimeOrNull(reader, 21));
    }
}
