-- Issue 27: the certificates of our CA the managers know of, each for what and whom, and those revoked. A node agent
-- refuses a revoked certificate at every handshake; the leading manager sends it the list.
CREATE TABLE certificate (
    serial            VARCHAR(64) PRIMARY KEY,
    purpose           VARCHAR(16) NOT NULL,
    holder            VARCHAR(200) NOT NULL,
    not_after_millis  BIGINT NOT NULL,
    seen_millis       BIGINT NOT NULL,
    revoked_millis    BIGINT,
    revoked_why       VARCHAR(300)
);
CREATE INDEX certificate_holder ON certificate (purpose, holder);
