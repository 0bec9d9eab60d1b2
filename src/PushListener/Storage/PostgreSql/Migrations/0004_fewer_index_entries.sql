-- Fewer index entries per push: every index entry is WAL and CPU when an entry is inserted, and again when it is
-- completed (state changes and indexes depend on it, so a completion cannot be an in-place update and every index
-- whose predicate the new version matches gets a new entry).
-- * The foreign key to bodies ran a trigger per inserted entry that locked its body row (FOR KEY SHARE: a query, a row
--   lock and a WAL record). The appender inserts a push's body in the same transaction as its entries, and nothing
--   else writes body_id: the key guarded nothing the code does not already guarantee.
-- * entries_body had an entry for every version of every entry. Only entries that may still be delivered need their
--   body: pending ones (state 0) and dead letters, which can be replayed (state 2); a done entry's body is never read
--   again. Retention deletes the done entries received before a time, and every entry of a push has the push's
--   received_at: when it deletes a done entry, the push's other done entries go with it, so only pending or dead ones
--   can still refer to the body, and this index finds those.
-- * entries_pending (id) duplicated entries_pending_subscription (subscription_id, id): the entries without a
--   subscription are found there with subscription_id IS NULL, in id order, and the lease scans read either.
-- * entries_done (received_at) got an entry at every completion, for retention only. A BRIN index on received_at
--   serves retention's range (entries are appended in about received_at order) and costs an insert or a completion
--   nothing while the new row version's value lies within its block range's summary, or the range is not summarised yet.
ALTER TABLE entries DROP CONSTRAINT entries_body_id_fkey;
DROP INDEX entries_body;
CREATE INDEX entries_body_live ON entries (body_id) WHERE state <> 1;
DROP INDEX entries_pending;
DROP INDEX entries_done;
CREATE INDEX entries_received ON entries USING brin (received_at) WITH (autosummarize = on);
