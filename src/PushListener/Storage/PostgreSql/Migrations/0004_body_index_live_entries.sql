-- Every entry insert and every completion paid for the body reference:
-- * the foreign key ran a trigger per inserted entry that locked its body row (FOR KEY SHARE: a query, a row lock and
--   a WAL record per entry). The appender inserts a push's body in the same transaction as its entries, and nothing
--   else writes body_id, so the key guarded nothing the code does not already guarantee.
-- * a completion rewrites the entry (state changes, so the update cannot be in place) and wrote a new entries_body
--   entry. Only entries that may still be delivered need their body: pending ones (state 0) and dead letters, which
--   can be replayed (state 2). A done entry's body is never read again. Retention deletes the done entries received
--   before a time, and every entry of a push has the push's received_at: so when it deletes a done entry, the push's
--   other done entries go with it, and only pending or dead ones can still refer to the body, which this index finds.
ALTER TABLE entries DROP CONSTRAINT entries_body_id_fkey;
DROP INDEX entries_body;
CREATE INDEX entries_body_live ON entries (body_id) WHERE state <> 1;
