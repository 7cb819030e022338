-- Orleans ADO.NET clustering (membership) tables and queries (PostgreSQL 15+).
-- Relies on OrleansQuery from 0001.
--
-- Every statement is idempotent: the runner may execute this file again.

-- One row per cluster (Orleans passes ClusterId as @DeploymentId). Its
-- version is the membership table version/ETag: every successful insert or
-- update of a silo row must advance it by exactly one.
CREATE TABLE IF NOT EXISTS accounts_membership_version
(
    deployment_id text        NOT NULL PRIMARY KEY,
    version       integer     NOT NULL DEFAULT 0,
    modified_on   timestamptz NOT NULL DEFAULT now()
);

-- One row per silo incarnation. Orleans sends times as UTC DateTime with
-- DbType.DateTime, which Npgsql binds as timestamptz.
-- suspect_times is Orleans' own "address,time|address,time" text, kept as is.
CREATE TABLE IF NOT EXISTS accounts_membership
(
    deployment_id   text        NOT NULL
        REFERENCES accounts_membership_version (deployment_id) ON DELETE CASCADE,
    address         text        NOT NULL,
    port            integer     NOT NULL,
    generation      integer     NOT NULL,
    silo_name       text        NOT NULL,
    host_name       text        NOT NULL,
    status          integer     NOT NULL,
    proxy_port      integer     NOT NULL,
    suspect_times   text        NULL,
    start_time      timestamptz NOT NULL,
    i_am_alive_time timestamptz NOT NULL,
    PRIMARY KEY (deployment_id, address, port, generation)
);

-- Query texts. Parameters are bound by the provider as:
--   @DeploymentId text, @Address text, @Port int4, @Generation int4,
--   @SiloName text, @HostName text, @Status int4, @ProxyPort int4,
--   @SuspectTimes text (may be NULL), @StartTime timestamptz,
--   @IAmAliveTime timestamptz, @Version int4.
--
-- @Version is the table version the silo last read (the ETag), not the next
-- one: the conditional writes match on it and then add one.
-- Reads must return at least the version row (members are LEFT JOINed):
-- the provider takes the table version from the first row and treats a NULL
-- StartTime as "no member".
INSERT INTO OrleansQuery (QueryKey, QueryText)
VALUES
(
    -- Returns one boolean column: true when this call created the row.
    'InsertMembershipVersionKey',
    $q$WITH created AS (
    INSERT INTO accounts_membership_version (deployment_id, version, modified_on)
    VALUES (@DeploymentId, 0, now())
    ON CONFLICT (deployment_id) DO NOTHING
    RETURNING deployment_id
)
SELECT EXISTS (SELECT 1 FROM created) AS "Created"$q$
),
(
    -- Lock the version row only if it still has the expected version, insert
    -- the silo only through that lock, and bump the version only if the
    -- insert happened: an existing silo row or a stale version leaves both
    -- tables untouched. A concurrent writer that waited on the lock
    -- re-checks the version and drops out.
    'InsertMembershipKey',
    $q$WITH current_version AS (
    SELECT v.deployment_id
    FROM accounts_membership_version AS v
    WHERE v.deployment_id = @DeploymentId
      AND v.version = @Version
    FOR UPDATE
),
inserted AS (
    INSERT INTO accounts_membership
        (deployment_id, address, port, generation, silo_name, host_name, status,
         proxy_port, suspect_times, start_time, i_am_alive_time)
    SELECT c.deployment_id, @Address, @Port, @Generation, @SiloName, @HostName, @Status,
           @ProxyPort, NULL, @StartTime, @IAmAliveTime
    FROM current_version AS c
    ON CONFLICT (deployment_id, address, port, generation) DO NOTHING
    RETURNING deployment_id
),
bumped AS (
    UPDATE accounts_membership_version AS v
    SET version = v.version + 1,
        modified_on = now()
    FROM inserted AS i
    WHERE v.deployment_id = i.deployment_id
    RETURNING v.version
)
SELECT EXISTS (SELECT 1 FROM bumped) AS "Inserted"$q$
),
(
    -- Same pattern as the insert; a missing silo row leaves the version alone.
    'UpdateMembershipKey',
    $q$WITH current_version AS (
    SELECT v.deployment_id
    FROM accounts_membership_version AS v
    WHERE v.deployment_id = @DeploymentId
      AND v.version = @Version
    FOR UPDATE
),
updated AS (
    UPDATE accounts_membership AS m
    SET status = @Status,
        suspect_times = @SuspectTimes,
        i_am_alive_time = @IAmAliveTime
    FROM current_version AS c
    WHERE m.deployment_id = c.deployment_id
      AND m.address = @Address
      AND m.port = @Port
      AND m.generation = @Generation
    RETURNING m.deployment_id
),
bumped AS (
    UPDATE accounts_membership_version AS v
    SET version = v.version + 1,
        modified_on = now()
    FROM updated AS u
    WHERE v.deployment_id = u.deployment_id
    RETURNING v.version
)
SELECT EXISTS (SELECT 1 FROM bumped) AS "Updated"$q$
),
(
    -- Heartbeat: deliberately leaves the table version alone.
    'UpdateIAmAlivetimeKey',
    $q$UPDATE accounts_membership AS m
SET i_am_alive_time = @IAmAliveTime
WHERE m.deployment_id = @DeploymentId
  AND m.address = @Address
  AND m.port = @Port
  AND m.generation = @Generation$q$
),
(
    'MembershipReadRowKey',
    $q$SELECT v.version          AS "Version",
       m.address          AS "Address",
       m.port             AS "Port",
       m.generation       AS "Generation",
       m.silo_name        AS "SiloName",
       m.host_name        AS "HostName",
       m.status           AS "Status",
       m.proxy_port       AS "ProxyPort",
       m.suspect_times    AS "SuspectTimes",
       m.start_time       AS "StartTime",
       m.i_am_alive_time  AS "IAmAliveTime"
FROM accounts_membership_version AS v
LEFT JOIN accounts_membership AS m
       ON m.deployment_id = v.deployment_id
      AND m.address = @Address
      AND m.port = @Port
      AND m.generation = @Generation
WHERE v.deployment_id = @DeploymentId$q$
),
(
    'MembershipReadAllKey',
    $q$SELECT v.version          AS "Version",
       m.address          AS "Address",
       m.port             AS "Port",
       m.generation       AS "Generation",
       m.silo_name        AS "SiloName",
       m.host_name        AS "HostName",
       m.status           AS "Status",
       m.proxy_port       AS "ProxyPort",
       m.suspect_times    AS "SuspectTimes",
       m.start_time       AS "StartTime",
       m.i_am_alive_time  AS "IAmAliveTime"
FROM accounts_membership_version AS v
LEFT JOIN accounts_membership AS m
       ON m.deployment_id = v.deployment_id
WHERE v.deployment_id = @DeploymentId$q$
),
(
    -- Silo rows go with the version row (ON DELETE CASCADE).
    'DeleteMembershipTableEntriesKey',
    $q$DELETE FROM accounts_membership_version
WHERE deployment_id = @DeploymentId$q$
),
(
    -- @Status is always 3 (Active). Silos without a gateway have proxy port 0.
    'GatewaysQueryKey',
    $q$SELECT m.address    AS "Address",
       m.proxy_port AS "ProxyPort",
       m.generation AS "Generation"
FROM accounts_membership AS m
WHERE m.deployment_id = @DeploymentId
  AND m.status = @Status
  AND m.proxy_port > 0$q$
),
(
    -- Removes only silos declared Dead (status 6) whose last sign of life,
    -- the later of start and heartbeat, is older than the cut-off. No version
    -- bump: dropping dead entries does not change the live membership view.
    'CleanupDefunctSiloEntriesKey',
    $q$DELETE FROM accounts_membership AS m
WHERE m.deployment_id = @DeploymentId
  AND m.status = 6
  AND GREATEST(m.start_time, m.i_am_alive_time) < @IAmAliveTime$q$
)
ON CONFLICT (QueryKey) DO UPDATE
    SET QueryText = EXCLUDED.QueryText;
