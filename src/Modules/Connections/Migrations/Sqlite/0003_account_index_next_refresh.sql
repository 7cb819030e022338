-- An account is "expiring" when its token is due (its next refresh time has passed) and has not been refreshed yet.
-- That time is kept beside the summary so the accounts screen can filter on it. Rows written before this script get
-- it at their next change, or from `accounts rebuild-index`.
ALTER TABLE accounts_account_index ADD COLUMN next_refresh_at_ms INTEGER NULL;

-- Only healthy live accounts can be expiring; the filter reads just those, soonest first.
CREATE INDEX IF NOT EXISTS ix_accounts_account_index_next_refresh ON accounts_account_index (next_refresh_at_ms, account_id) WHERE deleted = 0 AND health = 'healthy';
