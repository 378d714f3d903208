package org.idcguard.model;

import java.util.List;

/** A replication group: the coordinator or a storage shard, with its nodes and the sync set the manager keeps. */
public record GroupView(String name, String kind, List<String> syncSet, long syncGeneration, List<NodeView> nodes) {
}
