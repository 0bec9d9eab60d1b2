-- Managed subscriptions: per registration whose subscription PushListener creates and renews, the current subscription,
-- the last known watermark and the keep-alive state (state: ManagedSubscriptionState). callback_token is the secret end
-- of the URL Exchange pushes to. definition holds registrations added through the admin API (JSON); configuration ones
-- are read from configuration. Names are case-insensitive: registration_key is the lower-case name.
CREATE TABLE managed_subscriptions (
    registration_key text PRIMARY KEY,
    registration text NOT NULL,
    state smallint NOT NULL,
    subscription_id text,
    watermark text,
    watermark_at timestamptz,
    subscribed_at timestamptz,
    last_error text,
    last_error_at timestamptz,
    failed_attempts integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz,
    renew_reason text,
    renew_watermark text,
    callback_token text NOT NULL,
    definition text,
    generation integer NOT NULL DEFAULT 0,
    gaps_seen bigint NOT NULL DEFAULT 0,
    last_push_at timestamptz
);
