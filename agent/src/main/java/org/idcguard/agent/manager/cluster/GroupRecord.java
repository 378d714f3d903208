package org.idcguard.agent.manager.cluster;

import java.util.List;

/**
 * A replication group row: the recorded sync set (who may be promoted) and its generation, and the standbys its
 * primary may be configured to wait for (recorded before synchronous_standby_names changes, so it covers the set
 * being applied too). Any of the latter may hold an acknowledged commit.
 */
public record GroupRecord(String cluster, String name, String kind, int ordinal, List<String> syncStandbys, long syncGeneration,
                          List<String> configuredStandbys) {

    public GroupRecord(String cluster, String name, String kind, int ordinal, List<String> syncStandbys, long syncGeneration) {
        this(cluster, name, kind, ordinal, syncStandbys, syncGeneration, syncStandbys);
    }

    /** Every standby that may hold a commit the primary acknowledged: the recorded and the configured sync set. */
    public java.util.Set<String> mayHoldAcknowledged() {
        java.util.Set<String> all = new java.util.TreeSet<>(syncStandbys);
        all.addAll(configuredStandbys);
        return all;
    }
}
