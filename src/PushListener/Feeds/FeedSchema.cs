namespace PushListener.Feeds;

/// <summary>
/// The feed tables, in the inbox database. Idempotent: applied at every start. An entry's <c>state</c> is 0 while it
/// waits for acknowledgement, 1 once acknowledged and 2 once dropped; acknowledged and dropped entries stay as bodiless
/// tombstones until their feed's age limit, so a retried append of the same delivery is still recognised.
/// A gap record (<c>kind</c> 3) takes the place of the last entry it stands for and carries the count in <c>dropped</c>.
/// </summary>
internal static class FeedSchema
{
    public const string Create = """
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
        """;
}
