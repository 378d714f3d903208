-- Drill reports (issue 12): kept by the manager so that they can be listed, compared over time and handed over.
CREATE TABLE drill (
    id              BIGINT AUTO_INCREMENT PRIMARY KEY,
    cluster         VARCHAR(32) NOT NULL,
    fault           VARCHAR(16) NOT NULL,
    idc             VARCHAR(32) NOT NULL,
    started_millis  BIGINT NOT NULL,
    finished_millis BIGINT NOT NULL,
    passed          BOOLEAN NOT NULL,
    report          CLOB NOT NULL
);
CREATE INDEX drill_cluster ON drill (cluster, id);
