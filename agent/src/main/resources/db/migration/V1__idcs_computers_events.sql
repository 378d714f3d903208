-- The manager's metadata: data centers, the computers bound to them, and the event timeline.
CREATE TABLE idc (
    name      VARCHAR(32) PRIMARY KEY,
    province  VARCHAR(64) NOT NULL,
    city      VARCHAR(64) NOT NULL
);

CREATE TABLE computer (
    address           VARCHAR(253) PRIMARY KEY,
    agent_endpoint    VARCHAR(300) NOT NULL,
    idc               VARCHAR(32) REFERENCES idc(name) ON UPDATE CASCADE,
    status            VARCHAR(16) NOT NULL,
    cpus              INT NOT NULL,
    memory_bytes      BIGINT NOT NULL,
    free_disk_bytes   BIGINT NOT NULL,
    postgres_version  VARCHAR(32),
    postgres_bin_dir  VARCHAR(400),
    last_seen_millis  BIGINT NOT NULL
);

-- The PostgreSQL instances placed on computers; filled by cluster creation.
CREATE TABLE node (
    id                BIGINT AUTO_INCREMENT PRIMARY KEY,
    computer_address  VARCHAR(253) NOT NULL REFERENCES computer(address),
    port              INT NOT NULL,
    data_dir          VARCHAR(400) NOT NULL,
    UNIQUE (computer_address, port)
);

CREATE TABLE event (
    id           BIGINT AUTO_INCREMENT PRIMARY KEY,
    time_millis  BIGINT NOT NULL,
    kind         VARCHAR(64) NOT NULL,
    subject      VARCHAR(300) NOT NULL,
    message      VARCHAR(2000) NOT NULL
);
CREATE INDEX event_time ON event(time_millis);
