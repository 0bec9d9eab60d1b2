-- Claims with leases instead of an id cursor, each push's body stored once, trace context with each entry.
-- A push's body lives once in push_bodies; its messages' entries refer to it (body_id). A lifecycle entry carries its
-- JSON in payload. Entries of the first release each had their own copy of the body: each copy becomes a push body.
CREATE TABLE push_bodies (
    id INTEGER PRIMARY KEY,
    body BLOB NOT NULL
);
ALTER TABLE inbox ADD COLUMN body_id INTEGER;
ALTER TABLE inbox ADD COLUMN payload BLOB;
ALTER TABLE inbox ADD COLUMN trace_parent TEXT;
-- The claim: who holds the entry and until when (unix ms; 0 when nobody does).
ALTER TABLE inbox ADD COLUMN owner TEXT;
ALTER TABLE inbox ADD COLUMN lease_until INTEGER NOT NULL DEFAULT 0;
-- The subscription id, or '' for messages without one: the unit of delivery order.
ALTER TABLE inbox ADD COLUMN sub_key TEXT NOT NULL DEFAULT '';
UPDATE inbox SET sub_key = coalesce(subscription_id, '');
INSERT INTO push_bodies (id, body) SELECT b.id, b.body FROM inbox_bodies b JOIN inbox i ON i.id = b.id WHERE i.kind = 0;
UPDATE inbox SET body_id = id WHERE kind = 0;
UPDATE inbox SET payload = (SELECT b.body FROM inbox_bodies b WHERE b.id = inbox.id) WHERE kind = 1;
DROP TABLE inbox_bodies;
DROP INDEX inbox_state;
-- Indexes hold no lease columns, so a claim or a lease renewal rewrites only the entry's row; appends and completions
-- are what change them. Claiming walks the pending entries in id order.
CREATE INDEX inbox_pending ON inbox (id) WHERE state = 0;
-- A subscription is blocked while any of its pending entries is under a live lease: its pending entries, by subscription.
CREATE INDEX inbox_pending_by_subscription ON inbox (sub_key) WHERE state = 0;
CREATE INDEX inbox_dead ON inbox (id) WHERE state = 2;
-- Retention deletes a body once no entry refers to it.
CREATE INDEX inbox_body ON inbox (body_id) WHERE body_id IS NOT NULL;
-- A one-row table the readiness probe writes to.
CREATE TABLE store_probe (id INTEGER PRIMARY KEY CHECK (id = 1), at INTEGER NOT NULL);
INSERT INTO store_probe (id, at) VALUES (1, 0);
