package org.idcguard.agent.manager.cluster;

import java.util.List;

/** A replication group row with the sync set the manager configured and its generation. */
public record GroupRecord(String cluster, String name, String kind, int ordinal, List<String> syncStandbys, long syncGeneration) {
}
