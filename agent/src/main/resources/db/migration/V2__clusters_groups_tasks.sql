-- Clusters, their replication groups and nodes, and the tasks (long operations) that change them.
CREATE TABLE cluster (
    name                VARCHAR(32) PRIMARY KEY,
    kind                VARCHAR(16) NOT NULL,
    city                VARCHAR(64) NOT NULL,
    primary_idc         VARCHAR(32) NOT NULL REFERENCES idc(name) ON UPDATE CASCADE,
    backup_idc          VARCHAR(32) NOT NULL REFERENCES idc(name) ON UPDATE CASCADE,
    shard_count         INT NOT NULL,
    nodes_per_idc       INT NOT NULL,
    database_name       VARCHAR(63) NOT NULL,
    app_user            VARCHAR(63) NOT NULL,
    app_password        VARCHAR(128) NOT NULL,
    superuser           VARCHAR(63) NOT NULL,
    superuser_password  VARCHAR(128) NOT NULL,
    sync_policy         VARCHAR(16) NOT NULL,
    status              VARCHAR(16) NOT NULL,
    created_millis      BIGINT NOT NULL
);

-- The sync set is the manager's record of which standbys a commit waits for; the generation grows at each change.
CREATE TABLE replication_group (
    cluster          VARCHAR(32) NOT NULL REFERENCES cluster(name),
    name             VARCHAR(32) NOT NULL,
    kind             VARCHAR(16) NOT NULL,
    ordinal          INT NOT NULL,
    sync_standbys    VARCHAR(2000) NOT NULL DEFAULT '',
    sync_generation  BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (cluster, name)
);

ALTER TABLE node ADD COLUMN cluster VARCHAR(32);
ALTER TABLE node ADD COLUMN group_name VARCHAR(32);
ALTER TABLE node ADD COLUMN name VARCHAR(64);
ALTER TABLE node ADD COLUMN idc VARCHAR(32);
ALTER TABLE node ADD COLUMN role VARCHAR(16);
ALTER TABLE node ADD CONSTRAINT node_name_unique UNIQUE (name);
ALTER TABLE node ADD CONSTRAINT node_group_fk FOREIGN KEY (cluster, group_name) REFERENCES replication_group(cluster, name);

CREATE TABLE task (
    id               BIGINT AUTO_INCREMENT PRIMARY KEY,
    kind             VARCHAR(32) NOT NULL,
    subject          VARCHAR(64) NOT NULL,
    status           VARCHAR(16) NOT NULL,
    message          VARCHAR(4000),
    created_millis   BIGINT NOT NULL,
    finished_millis  BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE task_step (
    task_id          BIGINT NOT NULL REFERENCES task(id),
    ordinal          INT NOT NULL,
    name             VARCHAR(500) NOT NULL,
    status           VARCHAR(16) NOT NULL,
    detail           VARCHAR(4000),
    started_millis   BIGINT NOT NULL DEFAULT 0,
    finished_millis  BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (task_id, ordinal)
);
