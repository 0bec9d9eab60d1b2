-- The layout of the first release (which marked itself PRAGMA user_version = 1), feeds included. Every statement is
-- idempotent, so a database made by the first release, which has no schema_version table, is brought here safely.
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
CREATE TABLE IF NOT EXISTS feeds (
    handle TEXT PRIMARY KEY,
    session TEXT NOT NULL,
    name TEXT,
    scope TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    max_age_ms INTEGER NOT NULL,
    max_entries INTEGER NOT NULL,
    next_seq INTEGER NOT NULL DEFAULT 1,
    live INTEGER NOT NULL DEFAULT 0,
    appended INTEGER NOT NULL DEFAULT 0,
    delivered INTEGER NOT NULL DEFAULT 0,
    acked INTEGER NOT NULL DEFAULT 0,
    dropped INTEGER NOT NULL DEFAULT 0,
    last_append_at INTEGER,
    last_fetch_at INTEGER
);
CREATE INDEX IF NOT EXISTS feeds_session ON feeds (session);
CREATE TABLE IF NOT EXISTS feed_entries (
    handle TEXT NOT NULL,
    seq INTEGER NOT NULL,
    kind INTEGER NOT NULL,
    state INTEGER NOT NULL DEFAULT 0,
    delivery_id TEXT,
    body BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    leased_until INTEGER NOT NULL DEFAULT 0,
    deliveries INTEGER NOT NULL DEFAULT 0,
    dropped INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (handle, seq)
);
CREATE UNIQUE INDEX IF NOT EXISTS feed_entries_delivery ON feed_entries (handle, delivery_id) WHERE delivery_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS feed_entries_live ON feed_entries (handle, seq) WHERE state = 0;
CREATE INDEX IF NOT EXISTS feed_entries_gaps ON feed_entries (handle, seq) WHERE state = 0 AND kind = 3;
CREATE INDEX IF NOT EXISTS feed_entries_done ON feed_entries (handle, created_at) WHERE state <> 0;
