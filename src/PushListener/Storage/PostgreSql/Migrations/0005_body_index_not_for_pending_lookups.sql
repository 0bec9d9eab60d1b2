-- The planner must not answer "pending entries of subscription S" by reading the whole of entries_body_live.
-- Both partial indexes (entries_pending_subscription: state = 0, entries_body_live: state <> 1) qualify for a query on
-- state = 0. When statistics were last gathered with nothing pending (autovacuum runs whenever the dispatchers have caught
-- up), both are recorded as empty, every scan of them looks free, and the planner may pick a scan of entries_body_live
-- filtered on the subscription. Under load that index is far from empty: every completion leaves its entry there, dead,
-- until the next vacuum, so such a scan reads hundreds of pages per look-up. That is the likely cause of the claims' slow
-- mode (4.5 ms a call instead of 0.45 ms, in about one run in three; docs/benchmarks.md).
-- With body_id IS NOT NULL in its predicate this index serves only queries that name a body (the bodies' deletion:
-- body_id = ..., which implies it), and pending entries are found through entries_pending_subscription.
-- The new index holds only pending and dead-lettered entries, but building it reads the table once: on a large table
-- the upgrade holds appends for that long (docs/operations.md, "Upgrading").
DROP INDEX entries_body_live;
CREATE INDEX entries_body_live ON entries (body_id) WHERE state <> 1 AND body_id IS NOT NULL;
