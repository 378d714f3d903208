-- Alerts (issue 12): the events a DBA must see, each acknowledged once by someone.
CREATE TABLE alert (
    id           BIGINT AUTO_INCREMENT PRIMARY KEY,
    event_id     BIGINT NOT NULL,
    time_millis  BIGINT NOT NULL,
    level        VARCHAR(16) NOT NULL,
    kind         VARCHAR(64) NOT NULL,
    subject      VARCHAR(300) NOT NULL,
    message      VARCHAR(2000) NOT NULL,
    acked_millis BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX alert_open ON alert (acked_millis, id);

-- One row: the command each new alert is given to (as JSON on stdin), or NULL for none.
CREATE TABLE alert_setting (
    id      INT PRIMARY KEY,
    command VARCHAR(1000)
);
INSERT INTO alert_setting VALUES (1, NULL);
