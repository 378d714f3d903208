package org.idcguard.model;

/** A line of the cluster list. */
public record ClusterSummary(String name, String kind, String city, String primaryIdc, String backupIdc, String status,
                             int shards, int nodesPerIdc, int primaryNodes, int standbyNodes) {
}
