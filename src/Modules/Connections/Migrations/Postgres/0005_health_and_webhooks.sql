-- Health has hysteresis now, and the state a failing account is in is called "degraded".
UPDATE accounts_account_index SET health = 'degraded' WHERE health = 'error';

-- Key-based accounts are checked at the app now and then; the sweep pages through those due.
ALTER TABLE accounts_account_index ADD COLUMN IF NOT EXISTS next_check_at_ms BIGINT NULL;
CREATE INDEX IF NOT EXISTS ix_accounts_account_index_next_check ON accounts_account_index (next_check_at_ms, account_id) WHERE deleted = 0;

-- Degraded accounts are looked at until they recover or need a reconnect.
CREATE INDEX IF NOT EXISTS ix_accounts_account_index_degraded ON accounts_account_index (account_id) WHERE deleted = 0 AND health = 'degraded';

-- A workspace's webhook endpoints. The signing secrets are sealed like credentials (bound to the endpoint and
-- workspace); a rotated-out secret keeps signing until previous_until_ms.
CREATE TABLE IF NOT EXISTS webhooks_endpoints
(
    endpoint_id       VARCHAR(40)  NOT NULL PRIMARY KEY,
    workspace_id      TEXT    NOT NULL,
    url               TEXT    NOT NULL,
    events            TEXT    NOT NULL,
    description       TEXT    NULL,
    enabled           INTEGER NOT NULL,
    sealed_secret     BYTEA    NOT NULL,
    sealed_previous   BYTEA    NULL,
    previous_until_ms BIGINT  NULL,
    secret_hint       TEXT    NOT NULL,
    created_at_ms     BIGINT  NOT NULL,
    updated_at_ms     BIGINT  NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_webhooks_endpoints_workspace ON webhooks_endpoints (workspace_id, endpoint_id);

-- The outbox: events as their producers stored them, before they are fanned out to the endpoints of the workspace
-- at that moment. The event id is the producer's, so a producer that appends twice adds one row.
CREATE TABLE IF NOT EXISTS webhooks_events
(
    event_id       VARCHAR(40)  NOT NULL PRIMARY KEY,
    workspace_id   TEXT    NOT NULL,
    type           TEXT    NOT NULL,
    occurred_at_ms BIGINT  NOT NULL,
    payload        TEXT    NOT NULL,
    -- Set for an event meant for one endpoint only (a ping).
    endpoint_id    TEXT    NULL,
    fanned_out     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS ix_webhooks_events_unfanned ON webhooks_events (occurred_at_ms) WHERE fanned_out = 0;

-- One event on its way to one endpoint. A silo claims a due delivery by setting lease_until_ms, so another silo
-- takes it over only after that silo stopped answering for it.
CREATE TABLE IF NOT EXISTS webhooks_deliveries
(
    delivery_id        VARCHAR(40)  NOT NULL PRIMARY KEY,
    event_id           TEXT    NOT NULL,
    endpoint_id        TEXT    NOT NULL,
    workspace_id       TEXT    NOT NULL,
    status             TEXT    NOT NULL,
    attempts           INTEGER NOT NULL,
    next_attempt_at_ms BIGINT  NULL,
    lease_until_ms     BIGINT  NULL,
    last_status        BIGINT  NULL,
    last_error         TEXT    NULL,
    created_at_ms      BIGINT  NOT NULL,
    delivered_at_ms    BIGINT  NULL,
    UNIQUE (event_id, endpoint_id)
);
CREATE INDEX IF NOT EXISTS ix_webhooks_deliveries_due ON webhooks_deliveries (next_attempt_at_ms) WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS ix_webhooks_deliveries_workspace ON webhooks_deliveries (workspace_id, delivery_id);
CREATE INDEX IF NOT EXISTS ix_webhooks_deliveries_endpoint ON webhooks_deliveries (endpoint_id, delivery_id);
