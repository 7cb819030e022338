-- One row per master key that has opened this store: a check value derived from the key (never the key), so a silo
-- started with another deployment's ring, or a ring whose key was swapped under the same id, is refused at start
-- instead of failing one credential at a time.
CREATE TABLE IF NOT EXISTS accounts_vault_key_checks
(
    key_id      VARCHAR(64) NOT NULL PRIMARY KEY,
    check_value VARCHAR(64) NOT NULL
);
