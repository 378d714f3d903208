-- Failover safety (issue 11).

-- The standbys a group's primary may have been configured to wait for. Written before synchronous_standby_names
-- changes on a node, so that a standby that could have acknowledged a commit is known even if the manager stops
-- between configuring it and recording it in the sync set.
ALTER TABLE replication_group ADD COLUMN configured_standbys VARCHAR(2000) NOT NULL DEFAULT '';
UPDATE replication_group SET configured_standbys = sync_standbys;

-- At most one recorded primary per group: a second one is refused by the store itself, whatever code asks.
ALTER TABLE node ADD COLUMN primary_of VARCHAR(70) GENERATED ALWAYS AS
    (CASE WHEN role = 'primary' THEN cluster || '/' || group_name END);
ALTER TABLE node ADD CONSTRAINT node_one_primary_per_group UNIQUE (primary_of);

-- Whether an intent is an automatic failover or a planned switch, and why it ended as it did.
ALTER TABLE failover ADD COLUMN kind VARCHAR(16) NOT NULL DEFAULT 'failover';
ALTER TABLE failover ADD COLUMN outcome VARCHAR(2000);
