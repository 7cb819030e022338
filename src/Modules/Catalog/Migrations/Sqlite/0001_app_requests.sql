-- Requests for new apps, a row each, and their votes, a row each: a vote inserts one small row instead of rewriting
-- every request, and a repeated vote (same request, same person) inserts nothing. Reasons (at most 20) and the
-- triage history are short JSON arrays on the request's row.
CREATE TABLE IF NOT EXISTS catalog_app_requests
(
    request_id    VARCHAR(64)   NOT NULL PRIMARY KEY,
    name          VARCHAR(100)  NOT NULL,
    name_key      TEXT          NOT NULL,
    web_domain    VARCHAR(253)  NULL,
    url           VARCHAR(2048) NULL,
    status        VARCHAR(16)   NOT NULL,
    votes         INTEGER       NOT NULL,
    shipped_slug  VARCHAR(64)   NULL,
    reasons       TEXT          NOT NULL,
    history       TEXT          NOT NULL,
    created_at_ms BIGINT        NOT NULL,
    updated_at_ms BIGINT        NOT NULL
);

CREATE INDEX IF NOT EXISTS ix_catalog_app_requests_name_key ON catalog_app_requests (name_key);
CREATE INDEX IF NOT EXISTS ix_catalog_app_requests_web_domain ON catalog_app_requests (web_domain);
-- The list: most votes first, oldest first among equals.
CREATE INDEX IF NOT EXISTS ix_catalog_app_requests_rank ON catalog_app_requests (votes DESC, created_at_ms, request_id);

CREATE TABLE IF NOT EXISTS catalog_app_request_votes
(
    request_id  VARCHAR(64)  NOT NULL,
    voter       VARCHAR(200) NOT NULL,
    voted_at_ms BIGINT       NOT NULL,
    PRIMARY KEY (request_id, voter)
);

CREATE INDEX IF NOT EXISTS ix_catalog_app_request_votes_voter ON catalog_app_request_votes (voter);
