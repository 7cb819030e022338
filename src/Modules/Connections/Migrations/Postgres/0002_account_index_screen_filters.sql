-- The accounts screen pages through live accounts in id order. A filter that no index above serves (text in the
-- nickname, a health) walked the primary key, or scanned the table, until a page was full: a search that matched
-- nothing read every row (about 60 ms for 100,000 accounts).

-- A health filter reads its own accounts in id order, however rare that health is.
CREATE INDEX IF NOT EXISTS ix_accounts_account_index_health ON accounts_account_index (health, account_id);

-- Text search is LIKE '%text%', which no B-tree serves; a trigram index does, for text of three characters or more
-- (shorter text holds no trigram and still scans). pg_trgm ships with PostgreSQL (contrib) and is a trusted
-- extension, but a server may lack it or the role may not be allowed to create it: then search keeps scanning,
-- correct but slower, rather than the Host refusing to start; the index can be added by hand once the extension
-- exists. The operator class is looked up where the extension lives (some providers keep extensions outside the
-- search path); LIKE itself is built in.
DO $$
DECLARE
    trgm_schema name;
BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
    SELECT n.nspname INTO trgm_schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm';
    EXECUTE format('CREATE INDEX IF NOT EXISTS ix_accounts_account_index_nickname_trgm ON accounts_account_index USING gin (nickname_search %I.gin_trgm_ops)', trgm_schema);
EXCEPTION
    WHEN undefined_file OR insufficient_privilege OR feature_not_supported THEN
        RAISE NOTICE 'pg_trgm is not available (%); account text search will scan the index table', SQLERRM;
END
$$;
