-- The account index: one row per account, written by the account's grain after each change, so lists and
-- searches never activate grains. Times are Unix milliseconds so both engines compare them the same way.
CREATE TABLE IF NOT EXISTS accounts_account_index
(
    account_id      TEXT    NOT NULL PRIMARY KEY,
    workspace_id    TEXT    NOT NULL,
    app_slug        TEXT    NOT NULL,
    nickname_search TEXT    NOT NULL,
    health          TEXT    NOT NULL,
    deleted         INTEGER NOT NULL,
    expires_at_ms   INTEGER NULL,
    updated_at_ms   INTEGER NOT NULL,
    summary         TEXT    NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_accounts_account_index_workspace ON accounts_account_index (workspace_id, account_id);
CREATE INDEX IF NOT EXISTS ix_accounts_account_index_app ON accounts_account_index (app_slug, account_id);
CREATE INDEX IF NOT EXISTS ix_accounts_account_index_expiry ON accounts_account_index (expires_at_ms) WHERE deleted = 0;

-- Which workflow steps use which account (the index's answer to "accounts of workflow W").
CREATE TABLE IF NOT EXISTS accounts_account_links
(
    account_id  TEXT NOT NULL,
    workflow_id TEXT NOT NULL,
    step_id     TEXT NOT NULL,
    PRIMARY KEY (account_id, workflow_id, step_id)
);
CREATE INDEX IF NOT EXISTS ix_accounts_account_links_workflow ON accounts_account_links (workflow_id, account_id);

-- Append-only audit trail: who did what to which account, never a secret.
CREATE TABLE IF NOT EXISTS accounts_audit
(
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id   TEXT    NOT NULL,
    workspace_id TEXT    NOT NULL,
    at_ms        INTEGER NOT NULL,
    action       TEXT    NOT NULL,
    actor        TEXT    NOT NULL,
    workflow_id  TEXT    NULL,
    step_id      TEXT    NULL,
    detail       TEXT    NULL
);
CREATE INDEX IF NOT EXISTS ix_accounts_audit_account ON accounts_audit (account_id, id);
