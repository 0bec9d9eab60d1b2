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

    // A push of a known subscription updates its row; the first push of one inserts it. Both take the same values: ?1 the
    // subscription, ?2 state, ?3 registration, ?4 the push's time, ?5 and ?6 the watermarks, ?7 the server version, ?8 and
    // ?9 the expected interval and where it came from, ?10 heartbeat, ?11 gap, ?12 to ?19 the event counts, ?20 and ?21
    // the error and its time, ?22 the window of recent dedupe keys (RecentDedupeKeys; NULL keeps it). (Two plain
    // statements instead of an UPSERT: the append has just read whether the row exists.)
    private static readonly string Update = $"""
        UPDATE subscriptions SET
            state = ?2,
            registration = ?3,
            last_seen = ?4,
            last_watermark = coalesce(?5, last_watermark),
            last_previous_watermark = coalesce(?6, last_previous_watermark),
            request_server_version = coalesce(?7, request_server_version),
            expected_interval_ms = coalesce(?8, expected_interval_ms),
            interval_source = coalesce(?9, interval_source),
            last_push_heartbeat = ?10,
            notifications = notifications + 1,
            gaps = gaps + ?11,
            {string.Join(", ", CountColumns.Select((c, i) => $"{c} = {c} + ?{12 + i}"))},
            last_error = coalesce(?20, last_error),
            last_error_at = coalesce(?21, last_error_at),
            recent_keys = coalesce(?22, recent_keys)
        WHERE subscription_id = ?1
        """;

    private static readonly string Insert = $"""
        INSERT INTO subscriptions (subscription_id, state, registration, first_seen, last_seen, last_watermark, last_previous_watermark, request_server_version,
            expected_interval_ms, interval_source, last_push_heartbeat, notifications, gaps, {string.Join(", ", CountColumns)}, last_error, last_error_at, recent_keys)
        VALUES (?1, ?2, ?3, ?4, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 1, ?11, {string.Join(", ", CountColumns.Select((_, i) => $"?{12 + i}"))}, ?20, ?21, ?22)
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

    /// <summary>Reads a snapshot from 7 columns starting at <paramref name="first"/>, in the order of <see cref="Snapshot(SqliteDataReader, int)"/>.</summary>
    public static SubscriptionSnapshot Snapshot(BoundStatement row, int first) => new(
        (SubscriptionState)row.GetInt32(first),
        row.GetStringOrNull(first + 1),
        DateTimeOffset.FromUnixTimeMilliseconds(row.GetInt64(first + 2)),
        row.GetInt64(first + 3) != 0,
        row.GetStringOrNull(first + 4),
        row.GetInt64OrNull(first + 5) is { } interval ? TimeSpan.FromMilliseconds(interval) : null,
        row.GetStringOrNull(first + 6));

    /// <summary>
    /// Persists what <see cref="SubscriptionRules.OnPush"/> decided for a stored message; <paramref name="exists"/>: the row
    /// is there. <paramref name="recentKeys"/>: the subscription's new window of recent dedupe keys, or empty to keep it.
    /// </summary>
    public static void Persist(SqliteConnection connection, string subscription, bool exists, PushDecision decision, RegistryUpdate observed, DateTimeOffset at, string? version, ReadOnlySpan<byte> recentKeys)
    {
        var write = connection.Prepared(exists ? Update : Insert);
        write.Bind(1, subscription);
        write.Bind(2, (int)decision.State);
        write.Bind(3, decision.Registration);
        write.Bind(4, at.ToUnixTimeMilliseconds());
        write.Bind(5, observed.LastWatermark);
        write.Bind(6, observed.PreviousWatermark);
        write.Bind(7, version);
        write.Bind(8, decision.ExpectedInterval is { } interval ? (long)interval.TotalMilliseconds : null);
        write.Bind(9, decision.IntervalSource);
        write.Bind(10, observed.IsHeartbeat ? 1 : 0);
        write.Bind(11, decision.Gap ? 1 : 0);
        for (var i = 0; i < CountColumns.Length; i++)
        {
            write.Bind(12 + i, observed.EventCounts[i]);
        }

        write.Bind(20, observed.IsError ? $"{observed.ResponseCode}: {observed.MessageText}" : null);
        write.Bind(21, observed.IsError ? at.ToUnixTimeMilliseconds() : null);
        if (recentKeys.IsEmpty)
        {
            write.BindNull(22);
        }
        else
        {
            write.Bind(22, recentKeys);
        }

        write.Execute();
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
