namespace PushListener.Inbox.Sqlite;

/// <summary>The inbox schema. Idempotent: applied at every start.</summary>
internal static class SqliteSchema
{
    /// <summary>Stored in <c>PRAGMA user_version</c>; a database of another version is refused with a clear message.</summary>
    public const int Version = 1;

    public const string Create = """
        CREATE TABLE IF NOT EXISTS inbox (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            kind INTEGER NOT NULL DEFAULT 0,
            dedupe_key TEXT NOT NULL,
            dedupe_hash BLOB NOT NULL UNIQUE,
            subscription_id TEXT,
            message_index INTEGER NOT NULL,
            received_at INTEGER NOT NULL,
            request_server_version TEXT,
            registration TEXT,
            state INTEGER NOT NULL DEFAULT 0,
            attempts INTEGER NOT NULL DEFAULT 0,
            vote INTEGER,
            vote_reason TEXT,
            last_error TEXT,
            finished_at INTEGER
        );
        CREATE INDEX IF NOT EXISTS inbox_state ON inbox (state, id);
        -- Bodies live apart so that state changes rewrite a small row, not the whole SOAP body; the dedupe index holds
        -- a 32-byte hash instead of the long key.
        CREATE TABLE IF NOT EXISTS inbox_bodies (
            id INTEGER PRIMARY KEY,
            body BLOB NOT NULL
        );
        CREATE TABLE IF NOT EXISTS deliveries (
            entry_id INTEGER NOT NULL,
            handler TEXT NOT NULL,
            status INTEGER NOT NULL,
            attempts INTEGER NOT NULL,
            last_error TEXT,
            updated_at INTEGER NOT NULL,
            PRIMARY KEY (entry_id, handler)
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS handler_failures (
            handler TEXT PRIMARY KEY,
            failures INTEGER NOT NULL,
            last_error TEXT,
            last_failed_at INTEGER
        );
        CREATE TABLE IF NOT EXISTS subscriptions (
            subscription_id TEXT PRIMARY KEY,
            state INTEGER NOT NULL DEFAULT 0,
            registration TEXT,
            first_seen INTEGER NOT NULL,
            last_seen INTEGER NOT NULL,
            last_watermark TEXT,
            last_previous_watermark TEXT,
            request_server_version TEXT,
            expected_interval_ms INTEGER,
            interval_source TEXT,
            last_push_heartbeat INTEGER NOT NULL DEFAULT 0,
            notifications INTEGER NOT NULL DEFAULT 0,
            gaps INTEGER NOT NULL DEFAULT 0,
            c_copied INTEGER NOT NULL DEFAULT 0,
            c_created INTEGER NOT NULL DEFAULT 0,
            c_deleted INTEGER NOT NULL DEFAULT 0,
            c_modified INTEGER NOT NULL DEFAULT 0,
            c_moved INTEGER NOT NULL DEFAULT 0,
            c_newmail INTEGER NOT NULL DEFAULT 0,
            c_status INTEGER NOT NULL DEFAULT 0,
            c_freebusy INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            last_error_at INTEGER
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS registrations (
            name TEXT PRIMARY KEY COLLATE NOCASE,
            mailbox TEXT,
            status_frequency INTEGER,
            owner_tag TEXT,
            subscription_ids TEXT NOT NULL DEFAULT '',
            token_hash TEXT UNIQUE,
            updated_at INTEGER NOT NULL
        );
        CREATE TABLE IF NOT EXISTS sticky_votes (
            subscription_id TEXT PRIMARY KEY,
            reason TEXT,
            created_at INTEGER NOT NULL
        );
        """;
}
