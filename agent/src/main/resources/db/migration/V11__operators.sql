-- Named operators (issue 27): each with a role; only hashes of their one-time codes, passwords and sessions are kept.
CREATE TABLE operator (
    name             VARCHAR(64) PRIMARY KEY,
    role             VARCHAR(16) NOT NULL,
    password_hash    VARCHAR(300),
    code_hash        VARCHAR(64),
    code_expires     BIGINT NOT NULL DEFAULT 0,
    created_millis   BIGINT NOT NULL,
    created_by       VARCHAR(64) NOT NULL,
    failed_logins    INT NOT NULL DEFAULT 0,
    locked_until     BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE operator_session (
    token_hash       VARCHAR(64) PRIMARY KEY,
    operator         VARCHAR(64) NOT NULL REFERENCES operator(name) ON DELETE CASCADE,
    created_millis   BIGINT NOT NULL,
    expires_millis   BIGINT NOT NULL
);

-- Every change names its actor (an operator, or NULL for the manager itself) and the reason given (a ticket).
ALTER TABLE event ADD COLUMN actor VARCHAR(64);
ALTER TABLE event ADD COLUMN reason VARCHAR(200);
CREATE INDEX event_actor ON event (actor, id);
ALTER TABLE task ADD COLUMN actor VARCHAR(64);
ALTER TABLE alert ADD COLUMN acked_by VARCHAR(64);
ALTER TABLE drill ADD COLUMN actor VARCHAR(64);
