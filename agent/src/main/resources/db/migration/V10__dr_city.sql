-- Cross-city DR (issue 15): a cluster's IDC in another city with asynchronous standbys of every group, the
-- thresholds of its lag alert, and what each backup-city promotion received against what the main city had written.
ALTER TABLE cluster ADD COLUMN dr_idc VARCHAR(32) REFERENCES idc(name) ON UPDATE CASCADE;

CREATE TABLE dr_setting (
    id                 INT PRIMARY KEY,
    lag_alert_bytes    BIGINT NOT NULL,
    lag_alert_millis   INT NOT NULL,
    restore_point_millis INT NOT NULL
);
INSERT INTO dr_setting (id, lag_alert_bytes, lag_alert_millis, restore_point_millis) VALUES (1, 16777216, 10000, 5000);

CREATE TABLE dr_promotion (
    id             BIGINT AUTO_INCREMENT PRIMARY KEY,
    cluster        VARCHAR(32) NOT NULL,
    group_name     VARCHAR(32) NOT NULL,
    node           VARCHAR(64) NOT NULL,
    mode           VARCHAR(16) NOT NULL,
    estimated_loss BIGINT NOT NULL,
    last_known_lsn VARCHAR(32) NOT NULL,
    promoted_lsn   VARCHAR(32) NOT NULL,
    loss_bytes     BIGINT NOT NULL,
    promoted_millis BIGINT NOT NULL
);

-- The restore points the manager marks on every group of a cross-city cluster at one instant (the write gate held), by
-- name, with the position each group's primary gave: a consistent promotion stops every DR standby at one of them.
CREATE TABLE dr_restore_point (
    cluster        VARCHAR(32) NOT NULL,
    name           VARCHAR(64) NOT NULL,
    group_name     VARCHAR(32) NOT NULL,
    lsn            VARCHAR(32) NOT NULL,
    created_millis BIGINT NOT NULL,
    PRIMARY KEY (cluster, name, group_name)
);
