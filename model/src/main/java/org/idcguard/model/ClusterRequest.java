package org.idcguard.model;

import java.util.List;

/**
 * A request to create an IDC cluster. Missing optional values take the defaults below.
 *
 * @param kind        "intra-city" (cross-city comes later)
 * @param shards      storage shards besides the coordinator group, default 2
 * @param nodesPerIdc nodes of each group in each IDC, default 2, at least 1
 * @param computers   the computers to place nodes on (of both IDCs); empty or null: every reachable computer bound to them
 * @param database    the application database, default "app"
 * @param appUser     the application role, default "app"
 * @param syncPolicy  "available" (default: narrow the sync set when the other IDC is lost) or "strict"
 * @param clients     the networks applications connect from (CIDR); none: only the cluster's computers and the managers
 * @param drIdc       an IDC in another city that gets asynchronous standbys of every group (none: no DR city)
 * @param drNodes     standbys of each group in the DR IDC, default 1
 */
public record ClusterRequest(String name, String kind, String city, String primaryIdc, String backupIdc, Integer shards,
                             Integer nodesPerIdc, List<String> computers, String database, String appUser, String syncPolicy,
                             List<String> clients, String drIdc, Integer drNodes) {

    /** A request without a DR IDC. */
    public ClusterRequest(String name, String kind, String city, String primaryIdc, String backupIdc, Integer shards,
                          Integer nodesPerIdc, List<String> computers, String database, String appUser, String syncPolicy,
                          List<String> clients) {
        this(name, kind, city, primaryIdc, backupIdc, shards, nodesPerIdc, computers, database, appUser, syncPolicy, clients, null, null);
    }

    /** A request without client networks. */
    public ClusterRequest(String name, String kind, String city, String primaryIdc, String backupIdc, Integer shards,
                          Integer nodesPerIdc, List<String> computers, String database, String appUser, String syncPolicy) {
        this(name, kind, city, primaryIdc, backupIdc, shards, nodesPerIdc, computers, database, appUser, syncPolicy, List.of());
    }

    public static final String INTRA_CITY = "intra-city";
    public static final int DEFAULT_SHARDS = 2;
    public static final int DEFAULT_NODES_PER_IDC = 2;

    public static final int DEFAULT_DR_NODES = 1;

    public boolean hasDr() {
        return drIdc != null && !drIdc.isBlank();
    }

    /** Standbys per group in the DR IDC: none without a DR IDC. */
    public int drNodesOrDefault() {
        return !hasDr() ? 0 : drNodes == null ? DEFAULT_DR_NODES : drNodes;
    }

    public int shardsOrDefault() {
        return shards == null ? DEFAULT_SHARDS : shards;
    }

    public int nodesPerIdcOrDefault() {
        return nodesPerIdc == null ? DEFAULT_NODES_PER_IDC : nodesPerIdc;
    }

    public String databaseOrDefault() {
        return database == null || database.isBlank() ? "app" : database;
    }

    public String appUserOrDefault() {
        return appUser == null || appUser.isBlank() ? "app" : appUser;
    }

    public String syncPolicyOrDefault() {
        return syncPolicy == null || syncPolicy.isBlank() ? "available" : syncPolicy;
    }

    public List<String> clientsOrEmpty() {
        return clients == null ? List.of() : clients;
    }

    public List<String> computersOrEmpty() {
        return computers == null ? List.of() : computers;
    }
}
