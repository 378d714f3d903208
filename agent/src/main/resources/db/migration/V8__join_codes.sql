-- One-time codes by which a computer enrols its node agent: only a hash of the secret is kept.
CREATE TABLE join_code (
    secret_hash   VARCHAR(64) PRIMARY KEY,
    created_millis BIGINT NOT NULL,
    expires_millis BIGINT NOT NULL,
    used_millis    BIGINT,
    used_by        VARCHAR(255)
);
-- Node agents speak only TLS from now on.
UPDATE computer SET agent_endpoint = REPLACE(agent_endpoint, 'http://', 'https://');
