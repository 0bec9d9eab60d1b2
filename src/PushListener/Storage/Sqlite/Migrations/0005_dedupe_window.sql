-- Retries of watermark-keyed notifications are found in a window of each subscription's recent dedupe keys, kept in its
-- registry row (which storing a notification rewrites anyway), instead of in a unique index over every entry, whose
-- random leaf cost each acknowledged commit a page. The index stays, partial, for the keys no window holds (body-hash
-- keys of error pushes, keys of pushes with more messages of one subscription than a window holds, keys of entries
-- stored before this version beyond their subscription's window). SQLite cannot drop a column's UNIQUE constraint, so
-- inbox is rebuilt: same columns, same rows and ids, same id sequence, same indexes.
ALTER TABLE subscriptions ADD COLUMN recent_keys BLOB;
CREATE TABLE inbox_rebuilt (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind INTEGER NOT NULL DEFAULT 0,
    dedupe_key TEXT NOT NULL,
    -- SHA-256 of dedupe_key where the key is in the dedupe index; NULL where its subscription's window holds it, and for
    -- lifecycle entries (their keys are unique and never looked up).
    dedupe_hash BLOB,
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
    finished_at INTEGER,
    body_id INTEGER,
    payload BLOB,
    trace_parent TEXT,
    owner TEXT,
    lease_until INTEGER NOT NULL DEFAULT 0,
    sub_key TEXT NOT NULL DEFAULT ''
);
INSERT INTO inbox_rebuilt (id, kind, dedupe_key, dedupe_hash, subscription_id, message_index, received_at, request_server_version, registration,
    state, attempts, vote, vote_reason, last_error, finished_at, body_id, payload, trace_parent, owner, lease_until, sub_key)
SELECT id, kind, dedupe_key, dedupe_hash, subscription_id, message_index, received_at, request_server_version, registration,
    state, attempts, vote, vote_reason, last_error, finished_at, body_id, payload, trace_parent, owner, lease_until, sub_key
FROM inbox;
-- Ids keep counting from where they were (delivery ids derive from them): the old table's sequence, not the highest id left.
DELETE FROM sqlite_sequence WHERE name = 'inbox_rebuilt';
INSERT INTO sqlite_sequence (name, seq) SELECT 'inbox_rebuilt', seq FROM sqlite_sequence WHERE name = 'inbox';
-- Each registered subscription's window: its 16 newest watermark-keyed notifications, newest first, each as the first 8
-- bytes of the key's hash and the entry id (8 bytes, big-endian): the layout of RecentDedupeKeys. These leave the index.
CREATE TEMP TABLE windowed_entries AS
SELECT id, sub_key, dedupe_hash FROM (
    SELECT id, sub_key, dedupe_hash, row_number() OVER (PARTITION BY sub_key ORDER BY id DESC) AS age
    FROM inbox_rebuilt
    WHERE kind = 0 AND substr(dedupe_key, 1, 2) = 'w:' AND sub_key IN (SELECT subscription_id FROM subscriptions))
WHERE age <= 16;
UPDATE subscriptions SET recent_keys = w.recent
FROM (SELECT sub_key, unhex(group_concat(hex(substr(dedupe_hash, 1, 8)) || printf('%016X', id), '' ORDER BY id DESC)) AS recent
      FROM windowed_entries GROUP BY sub_key) AS w
WHERE subscriptions.subscription_id = w.sub_key;
UPDATE inbox_rebuilt SET dedupe_hash = NULL WHERE id IN (SELECT id FROM windowed_entries) OR kind = 1;
DROP TABLE windowed_entries;
DROP TABLE inbox;
ALTER TABLE inbox_rebuilt RENAME TO inbox;
CREATE INDEX inbox_pending ON inbox (id) WHERE state = 0;
CREATE INDEX inbox_pending_by_subscription ON inbox (sub_key) WHERE state = 0;
CREATE INDEX inbox_dead ON inbox (id) WHERE state = 2;
CREATE INDEX inbox_body ON inbox (body_id) WHERE body_id IS NOT NULL;
-- The dedupe index of the keys no window holds: a push's lookup seeks it (a read); only those keys' appends write it.
CREATE UNIQUE INDEX inbox_dedupe_hash ON inbox (dedupe_hash) WHERE dedupe_hash IS NOT NULL;
