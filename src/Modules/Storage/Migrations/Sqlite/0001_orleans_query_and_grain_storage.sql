-- Orleans query registry and ADO.NET grain storage (SQLite 3.35+, for RETURNING).
--
-- Every statement is idempotent: the runner may execute this file again.
-- No PRAGMAs here: journal_mode cannot change inside a transaction and is
-- set by the host when it opens the database.

-- The provider reads its SQL from this table at start-up.
CREATE TABLE IF NOT EXISTS OrleansQuery
(
    QueryKey  VARCHAR(64) NOT NULL PRIMARY KEY,
    QueryText TEXT        NOT NULL
);

-- One row per (service, grain type, grain id). The hashes are only there to
-- keep the index narrow and selective; identity is decided by all columns.
-- grain_id_extension is NULL for integer/GUID keys without an extension and
-- holds the whole key for string-keyed grains.
-- payload is NULL after a clear that keeps the row (the version survives,
-- so a later write still needs the right ETag).
CREATE TABLE IF NOT EXISTS accounts_grain_state
(
    service_id         TEXT    NOT NULL,
    grain_type_hash    INTEGER NOT NULL,
    grain_type         TEXT    NOT NULL,
    grain_id_hash      INTEGER NOT NULL,
    grain_id_n0        INTEGER NOT NULL,
    grain_id_n1        INTEGER NOT NULL,
    grain_id_extension TEXT    NULL,
    payload            BLOB    NULL,
    version            INTEGER NOT NULL,
    modified_on        TEXT    NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- Serves the point lookups and makes a duplicate insert a conflict.
-- A plain unique index would let any number of rows with a NULL extension
-- coexist, so the extension is indexed through ifnull() with a zero-length
-- BLOB: it can never equal a TEXT key, not even the empty string.
CREATE UNIQUE INDEX IF NOT EXISTS ux_accounts_grain_state_identity
    ON accounts_grain_state
       (grain_id_hash, grain_type_hash, grain_id_n0, grain_id_n1, service_id, grain_type,
        ifnull(grain_id_extension, x''));

-- Query texts. Parameters are bound by the provider as:
--   @GrainIdHash Int32, @GrainTypeHash Int32, @GrainIdN0 Int64, @GrainIdN1 Int64,
--   @ServiceId String, @GrainTypeString String, @GrainIdExtensionString String (may be NULL),
--   @GrainStateVersion Int32 (NULL when the grain holds no ETag), @PayloadBinary Binary.
--
-- Version conflicts are reported by returning NO row: the provider treats a
-- missing or unchanged version as a conflict. Never return the stored
-- version on a mismatch; a version different from the caller's ETag would be
-- accepted as success. "IS" is SQLite's NULL-safe equality.
INSERT INTO OrleansQuery (QueryKey, QueryText)
VALUES
(
    'ReadFromStorageKey',
    'SELECT s.payload AS PayloadBinary,
       s.version AS Version
FROM accounts_grain_state AS s
WHERE s.grain_id_hash = @GrainIdHash
  AND s.grain_type_hash = @GrainTypeHash
  AND s.grain_id_n0 = @GrainIdN0
  AND s.grain_id_n1 = @GrainIdN1
  AND s.service_id = @ServiceId
  AND s.grain_type = @GrainTypeString
  AND s.grain_id_extension IS @GrainIdExtensionString'
),
(
    -- Two statements, at most one of which can act. A NULL version means
    -- "I believe there is no row": insert version 1, and let a concurrent
    -- first write lose quietly (DO NOTHING, no row back) instead of failing
    -- with a constraint error. Otherwise update only the row still carrying
    -- the caller version. The WHERE on the INSERT ... SELECT is also what
    -- SQLite needs to parse the ON CONFLICT clause after a SELECT.
    'WriteToStorageKey',
    'INSERT INTO accounts_grain_state
    (service_id, grain_type_hash, grain_type, grain_id_hash, grain_id_n0, grain_id_n1,
     grain_id_extension, payload, version, modified_on)
SELECT @ServiceId, @GrainTypeHash, @GrainTypeString, @GrainIdHash, @GrainIdN0, @GrainIdN1,
       @GrainIdExtensionString, @PayloadBinary, 1, CURRENT_TIMESTAMP
WHERE @GrainStateVersion IS NULL
ON CONFLICT DO NOTHING
RETURNING version AS NewGrainStateVersion;

UPDATE accounts_grain_state
SET payload = @PayloadBinary,
    version = version + 1,
    modified_on = CURRENT_TIMESTAMP
WHERE @GrainStateVersion IS NOT NULL
  AND grain_id_hash = @GrainIdHash
  AND grain_type_hash = @GrainTypeHash
  AND grain_id_n0 = @GrainIdN0
  AND grain_id_n1 = @GrainIdN1
  AND service_id = @ServiceId
  AND grain_type = @GrainTypeString
  AND grain_id_extension IS @GrainIdExtensionString
  AND version = @GrainStateVersion
RETURNING version AS NewGrainStateVersion'
),
(
    -- Keeps the row and its version so that a stale activation still fails
    -- its next write.
    'ClearStorageKey',
    'UPDATE accounts_grain_state
SET payload = NULL,
    version = version + 1,
    modified_on = CURRENT_TIMESTAMP
WHERE grain_id_hash = @GrainIdHash
  AND grain_type_hash = @GrainTypeHash
  AND grain_id_n0 = @GrainIdN0
  AND grain_id_n1 = @GrainIdN1
  AND service_id = @ServiceId
  AND grain_type = @GrainTypeString
  AND grain_id_extension IS @GrainIdExtensionString
  AND version = @GrainStateVersion
RETURNING version AS NewGrainStateVersion'
),
(
    -- Used instead of ClearStorageKey when DeleteStateOnClear is set. The row
    -- is gone, so report version + 1: the provider needs a value that differs
    -- from the caller ETag to see success (it then drops the ETag itself).
    'DeleteStorageKey',
    'DELETE FROM accounts_grain_state
WHERE grain_id_hash = @GrainIdHash
  AND grain_type_hash = @GrainTypeHash
  AND grain_id_n0 = @GrainIdN0
  AND grain_id_n1 = @GrainIdN1
  AND service_id = @ServiceId
  AND grain_type = @GrainTypeString
  AND grain_id_extension IS @GrainIdExtensionString
  AND version = @GrainStateVersion
RETURNING version + 1 AS NewGrainStateVersion'
)
ON CONFLICT (QueryKey) DO UPDATE
    SET QueryText = excluded.QueryText;
