-- The accounts screen pages through live accounts in id order. A filter that no index above serves (text in the
-- nickname, a health) walked the primary key and read each account's whole row, summary JSON included, until a page
-- was full: a search that matched nothing read all of them (about 70 ms for 100,000 accounts).

-- Live accounts in id order with their nickname: a text search scans this narrow index and reads a row only when
-- its nickname matches, a third of the time the full walk took. Partial on the literal "deleted = 0" that
-- AccountIndex writes, which is what lets SQLite choose it.
CREATE INDEX IF NOT EXISTS ix_accounts_account_index_live_nickname ON accounts_account_index (account_id, nickname_search) WHERE deleted = 0;

-- A health filter reads its own accounts in id order, however rare that health is.
CREATE INDEX IF NOT EXISTS ix_accounts_account_index_health ON accounts_account_index (health, account_id);
