-- How far this manager's copy of the metadata has applied the managers' replicated log (issue 14); 0 for a single
-- manager, whose copy is the only one.
CREATE TABLE quorum_position (
    id      INT PRIMARY KEY,
    applied BIGINT NOT NULL
);
INSERT INTO quorum_position (id, applied) VALUES (1, 0);
