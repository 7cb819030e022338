-- Orleans query registry and ADO.NET grain storage (PostgreSQL 15+).
--
-- Every statement is idempotent: the runner may execute this file again.

-- The providers read their SQL from this table at start-up with unquoted
-- identifiers, so the names must stay unquoted (they fold to lower case).
CREATE TABLE IF NOT EXISTS OrleansQuery
(
    QueryKey  varchar(64) NOT NULL PRIMARY KEY,
    QueryText text        NOT NULL
);

-- One row per (service, grain type, grain id). The hashes are only there to
-- keep the index narrow and selective; identity is decided by all columns.
-- grain_id_extension is NULL for integer/GUID keys without an extension and
-- holds the whole key for string-keyed grains.
-- payload is NULL after a clear that keeps the row (the version survives,
-- so a later write still needs the right ETag).
CREATE TABLE IF NOT EXISTS accounts_grain_state
(
    service_id         text        NOT NULL,
    grain_type_hash    integer     NOT NULL,
    grain_type         text        NOT NULL,
    grain_id_hash      integer     NOT NULL,
    grain_id_n0        bigint      NOT NULL,
    grain_id_n1        bigint      NOT NULL,
    grain_id_extension text        NULL,
    payload            bytea       NULL,
    version            integer     NOT NULL,
    modified_on        timestamptz NOT NULL DEFAULT now()
);

-- Serves the point lookups of all three queries and is the arbiter for
-- ON CONFLICT. NULLS NOT DISTINCT (PostgreSQL 15) makes two rows without an
-- extension collide instead of coexisting. Integer columns come first so the
-- index stays usable even though the extension is compared with
-- IS NOT DISTINCT FROM, which cannot be an index condition.
CREATE UNIQUE INDEX IF NOT EXISTS ux_accounts_grain_state_identity
    ON accounts_grain_state
       (grain_id_hash, grain_type_hash, grain_id_n0, grain_id_n1, service_id, grain_type, grain_id_extension)
    NULLS NOT DISTINCT;

-- Query texts. Parameters are bound by the provider as:
--   @GrainIdHash int4, @GrainTypeHash int4, @GrainIdN0 int8, @GrainIdN1 int8,
--   @ServiceId text, @GrainTypeString text, @GrainIdExtensionString text (may be NULL),
--   @GrainStateVersion int4 (NULL when the grain holds no ETag), @PayloadBinary bytea.
--
-- Version conflicts are reported by returning NO row: the provider treats a
-- missing or unchanged version as a conflict. Never return the stored
-- version on a mismatch; a version different from the caller's ETag would be
-- accepted as success.
INSERT INTO OrleansQuery (QueryKey, QueryText)
VALUES
(
    'ReadFromStorageKey',
    $q$SELECT s.payload AS "PayloadBinary",
       s.version AS "Version"
FROM accounts_grain_state AS s
WHERE s.grain_id_hash = @GrainIdHash
  AND s.grain_type_hash = @GrainTypeHash
  AND s.grain_id_n0 = @GrainIdN0
  AND s.grain_id_n1 = @GrainIdN1
  AND s.service_id = @ServiceId
  AND s.grain_type = @GrainTypeString
  AND s.grain_id_extension IS NOT DISTINCT FROM @GrainIdExtensionString$q$
),
(
    -- A NULL version means "I believe there is no row": insert version 1,
    -- and let a concurrent first write lose quietly (DO NOTHING, no row back)
    -- instead of failing with a unique violation. Otherwise update only the
    -- row still carrying the caller's version.
    'WriteToStorageKey',
    $q$WITH inserted AS (
    INSERT INTO accounts_grain_state
        (service_id, grain_type_hash, grain_type, grain_id_hash, grain_id_n0, grain_id_n1,
         grain_id_extension, payload, version, modified_on)
    SELECT @ServiceId, @GrainTypeHash, @GrainTypeString, @GrainIdHash, @GrainIdN0, @GrainIdN1,
           @GrainIdExtensionString, @PayloadBinary, 1, now()
    WHERE @GrainStateVersion IS NULL
    ON CONFLICT (grain_id_hash, grain_type_hash, grain_id_n0, grain_id_n1, service_id, grain_type, grain_id_extension)
    DO NOTHING
    RETURNING version
),
updated AS (
    UPDATE accounts_grain_state AS s
    SET payload = @PayloadBinary,
        version = s.version + 1,
        modified_on = now()
    WHERE @GrainStateVersion IS NOT NULL
      AND s.grain_id_hash = @GrainIdHash
      AND s.grain_type_hash = @GrainTypeHash
      AND s.grain_id_n0 = @GrainIdN0
      AND s.grain_id_n1 = @GrainIdN1
      AND s.service_id = @ServiceId
      AND s.grain_type = @GrainTypeString
      AND s.grain_id_extension IS NOT DISTINCT FROM @GrainIdExtensionString
      AND s.version = @GrainStateVersion
    RETURNING s.version
)
SELECT version AS "NewGrainStateVersion" FROM inserted
UNION ALL
SELECT version FROM updated$q$
),
(
    -- Keeps the row and its version so that a stale activation still fails
    -- its next write.
    'ClearStorageKey',
    $q$UPDATE accounts_grain_state AS s
SET payload = NULL,
    version = s.version + 1,
    modified_on = now()
WHERE s.grain_id_hash = @GrainIdHash
  AND s.grain_type_hash = @GrainTypeHash
  AND s.grain_id_n0 = @GrainIdN0
  AND s.grain_id_n1 = @GrainIdN1
  AND s.service_id = @ServiceId
  AND s.grain_type = @GrainTypeString
  AND s.grain_id_extension IS NOT DISTINCT FROM @GrainIdExtensionString
  AND s.version = @GrainStateVersion
RETURNING s.version AS "NewGrainStateVersion"$q$
),
(
    -- Used instead of ClearStorageKey when DeleteStateOnClear is set. The row
    -- is gone, so report version + 1: the provider needs a value that differs
    -- from the caller's ETag to see success (it then drops the ETag itself).
    'DeleteStorageKey',
    $q$DELETE FROM accounts_grain_state AS s
WHERE s.grain_id_hash = @GrainIdHash
  AND s.grain_type_hash = @GrainTypeHash
  AND s.grain_id_n0 = @GrainIdN0
  AND s.grain_id_n1 = @GrainIdN1
  AND s.service_id = @ServiceId
  AND s.grain_type = @GrainTypeString
  AND s.grain_id_extension IS NOT DISTINCT FROM @GrainIdExtensionString
  AND s.version = @GrainStateVersion
RETURNING s.version + 1 AS "NewGrainStateVersion"$q$
)
ON CONFLICT (QueryKey) DO UPDATE
    SET QueryText = EXCLUDED.QueryText;
