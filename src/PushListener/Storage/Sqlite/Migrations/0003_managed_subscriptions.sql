-- Managed subscriptions: per registration whose subscription PushListener creates and renews, the current subscription,
-- the last known watermark and the keep-alive state. callback_token is the secret end of the URL Exchange pushes to.
-- definition holds registrations added through the admin API (JSON); configuration ones are read from configuration.
CREATE TABLE managed_subscriptions (
    registration TEXT NOT NULL PRIMARY KEY COLLATE NOCASE,
    state INTEGER NOT NULL,
    subscription_id TEXT,
    watermark TEXT,
    watermark_at INTEGER,
    subscribed_at INTEGER,
    last_error TEXT,
    last_error_at INTEGER,
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER,
    renew_reason TEXT,
    renew_watermark TEXT,
    callback_token TEXT NOT NULL,
    definition TEXT,
    generation INTEGER NOT NULL DEFAULT 0,
    gaps_seen INTEGER NOT NULL DEFAULT 0,
    last_push_at INTEGER
);
