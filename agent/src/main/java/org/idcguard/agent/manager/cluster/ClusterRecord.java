package org.idcguard.agent.manager.cluster;

import java.util.List;

/**
 * A cluster row, secrets included: only the manager sees these.
 *
 * @param primaryIdc where the primaries are (the DR IDC after a backup-city promotion)
 * @param backupIdc  the IDC whose standbys the primaries wait for; after a backup-city promotion, the main-city IDC the
 *                   cluster comes home to
 * @param drIdc      the IDC in another city with asynchronous standbys of every group, or null
 */
public record ClusterRecord(String name, String kind, String city, String primaryIdc, String backupIdc, int shards,
                            int nodesPerIdc, String database, String appUser, String appPassword, String superuser,
                            String superuserPassword, String syncPolicy, String status, List<String> clientNetworks,
                            String drIdc) {

    public ClusterRecord {
        clientNetworks = clientNetworks == null ? List.of() : List.copyOf(clientNetworks);
    }

    /** A cluster whose applications connect only from its computers. */
    public ClusterRecord(String name, String kind, String city, String primaryIdc, String backupIdc, int shards, int nodesPerIdc,
                         String database, String appUser, String appPassword, String superuser, String superuserPassword,
                         String syncPolicy, String status) {
        this(name, kind, city, primaryIdc, backupIdc, shards, nodesPerIdc, database, appUser, appPassword, superuser,
                superuserPassword, syncPolicy, status, List.of(), null);
    }

    public static final String CREATING = "creating";
    public static final String RUNNING = "running";
    public static final String DELETING = "deleting";
    public static final String CROSS_CITY = "cross-city";

    public boolean hasDr() {
        return drIdc != null;
    }

    public boolean isDr(String idc) {
        return drIdc != null && drIdc.equals(idc);
    }

    /** The primaries stand in the DR city: the main city was given up by a backup-city promotion. */
    public boolean runsInDrCity() {
        return isDr(primaryIdc);
    }

    /** Whether a primary in primaryIdc may wait for a standby in standbyIdc: {@link org.idcguard.model.SyncPeers}. */
    public boolean mayWaitFor(String primaryIdc, String standbyIdc) {
        return org.idcguard.model.SyncPeers.mayWaitFor(drIdc, primaryIdc, standbyIdc);
    }

    /** The IDCs the cluster has nodes in, DR IDC last. */
    public static List<String> idcsOf(List<NodeRecord> nodes) {
        return nodes.stream().map(NodeRecord::idc).distinct().sorted().toList();
    }

    /** The main-city IDC that is not idc: where the standbys a primary in idc waits for stand. */
    public String mainPartner(String idc, List<NodeRecord> nodes) {
        return idcsOf(nodes).stream().filter(i -> !i.equals(idc) && !isDr(i)).findFirst().orElse(backupIdc);
    }
}
