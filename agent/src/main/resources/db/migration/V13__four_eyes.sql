-- The four-eyes rule (issue 27): when on, a DR promotion or a cluster deletion waits for a second admin's approval.
CREATE TABLE access_setting (
    id         INT PRIMARY KEY,
    four_eyes  BOOLEAN NOT NULL
);
INSERT INTO access_setting VALUES (1, FALSE);

CREATE TABLE approval (
    id               BIGINT AUTO_INCREMENT PRIMARY KEY,
    kind             VARCHAR(32) NOT NULL,
    subject          VARCHAR(64) NOT NULL,
    request          VARCHAR(2000),
    what             VARCHAR(300) NOT NULL,
    requested_by     VARCHAR(64) NOT NULL,
    reason           VARCHAR(200),
    requested_millis BIGINT NOT NULL,
    expires_millis   BIGINT NOT NULL,
    state            VARCHAR(16) NOT NULL,
    decided_by       VARCHAR(64),
    decided_millis   BIGINT NOT NULL DEFAULT 0,
    task_id          BIGINT
);
