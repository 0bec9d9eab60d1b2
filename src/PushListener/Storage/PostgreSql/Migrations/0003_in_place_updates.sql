-- Rows that every push or every delivery rewrites are updated in place (PostgreSQL's HOT updates: no new index entries,
-- far less WAL) when no index covers a column the update changes and the row's page has room for the new version.
-- * entries: a claim and a lease renewal change lease_owner and lease_expires_at only. The lease_owner index served
--   the renewal and the release of one dispatcher's leases, which run every third of a lease and at shutdown: they
--   scan the pending entries (entries_pending) instead.
-- * subscriptions: every push changes last_seen. The registry's listing sorts the table's rows (one per subscription)
--   and the silence check compares last_seen with an expression no index can serve: neither needs these indexes.
DROP INDEX entries_lease_owner;
DROP INDEX subscriptions_last_seen;
DROP INDEX subscriptions_active;
ALTER TABLE entries SET (fillfactor = 50);
ALTER TABLE subscriptions SET (fillfactor = 50);
