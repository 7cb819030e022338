-- The audit trail also records actions on what is not an account (apps, app requests, OAuth clients, API keys,
-- maintenance), under a prefixed subject name that can be longer than an account id.
ALTER TABLE accounts_audit ALTER COLUMN account_id TYPE VARCHAR(240);
