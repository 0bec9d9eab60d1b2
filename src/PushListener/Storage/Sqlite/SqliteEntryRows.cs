using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;
using PushListener.Inbox;
using PushListener.Subscriptions;

namespace PushListener.Storage.Sqlite;

/// <summary>Writes of entry rows, shared by the entry log (appends) and the registry (silence events). Writer thread only.</summary>
internal static class SqliteEntryRows
{
    /// <summary>
    /// Inserts a pending entry; returns its id. <paramref name="dedupeHash"/> goes into the unique dedupe index: null for a
    /// key that is never looked up there (a watermark key its subscription's window records, a lifecycle entry's).
    /// </summary>
    public static long Insert(SqliteConnection connection, EntryKind kind, string dedupeKey, byte[]? dedupeHash, string? subscription, int messageIndex, DateTimeOffset receivedAt, string? version, string? registration, string? traceParent, long? bodyId, byte[]? payload)
    {
        // No RETURNING: it makes SQLite journal every page the statement touches, in case it has to undo it.
        var insert = connection.Prepared("""
            INSERT INTO inbox (kind, dedupe_key, dedupe_hash, subscription_id, sub_key, message_index, received_at, request_server_version, registration, trace_parent, body_id, payload)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
            """);
        insert.Bind(1, (int)kind);
        insert.Bind(2, dedupeKey);
        insert.Bind(3, dedupeHash);
        insert.Bind(4, subscription);
        insert.Bind(5, subscription ?? string.Empty);
        insert.Bind(6, messageIndex);
        insert.Bind(7, receivedAt.ToUnixTimeMilliseconds());
        insert.Bind(8, version);
        insert.Bind(9, registration);
        insert.Bind(10, traceParent);
        insert.Bind(11, bodyId);
        insert.Bind(12, payload);

        insert.Execute();
        return LastInsertId(connection);
    }

    /// <summary>The rowid of the connection's last INSERT.</summary>
    public static long LastInsertId(SqliteConnection connection) => SQLitePCL.raw.sqlite3_last_insert_rowid(connection.Handle);

    /// <summary>Inserts a lifecycle event as a pending entry of its subscription.</summary>
    public static long InsertLifecycle(SqliteConnection connection, LifecycleEvent lifecycle, string? version, string? registration, string? traceParent)
    {
        // A unique key nothing looks up: no entry in the dedupe index.
        var key = "l:" + Guid.NewGuid().ToString("N");
        return Insert(connection, EntryKind.Lifecycle, key, null, lifecycle.SubscriptionId, 0, lifecycle.OccurredAt, version, registration, traceParent, null, LifecycleSerializer.Serialize(lifecycle));
    }

    /// <summary>Ids as a JSON array, for <c>WHERE id IN (SELECT value FROM json_each(...))</c>: one statement for a batch of ids.</summary>
    public static string JsonIds(IEnumerable<long> ids) => "[" + string.Join(',', ids) + "]";

    /// <summary>The indexed form of a dedupe key (32 bytes instead of a key of two watermarks and an id).</summary>
    public static byte[] HashKey(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}
