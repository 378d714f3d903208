-- The HA engine: probe settings, nodes that must be rewound before they rejoin, and failover intents.

-- One row: how the manager probes nodes. The failure window these give is checked when they change.
CREATE TABLE ha_setting (
    id                    INT PRIMARY KEY,
    probe_interval_millis INT NOT NULL,
    probe_timeout_millis  INT NOT NULL,
    failed_probes         INT NOT NULL,
    stream_silence_millis INT NOT NULL
);
INSERT INTO ha_setting VALUES (1, 500, 500, 3, 1500);

-- A node that was a primary (or unreachable) when its group failed over may hold WAL the new primary never had:
-- it is rewound from the new primary before it streams again.
ALTER TABLE node ADD COLUMN needs_rejoin BOOLEAN NOT NULL DEFAULT FALSE;

-- Written before a failover acts and updated after each step, so a restarted manager finishes or abandons it.
CREATE TABLE failover (
    id               BIGINT AUTO_INCREMENT PRIMARY KEY,
    cluster          VARCHAR(32) NOT NULL,
    group_name       VARCHAR(32) NOT NULL,
    old_primary      VARCHAR(64) NOT NULL,
    candidate        VARCHAR(64) NOT NULL,
    reason           VARCHAR(2000) NOT NULL,
    step             VARCHAR(16) NOT NULL,
    started_millis   BIGINT NOT NULL,
    finished_millis  BIGINT NOT NULL DEFAULT 0
);
