package org.idcguard.agent.manager.cluster;

import java.util.List;

/** A cluster row, secrets included: only the manager sees these. */
public record ClusterRecord(String name, String kind, String city, String primaryIdc, String backupIdc, int shards,
                            int nodesPerIdc, String database, String appUser, String appPassword, String superuser,
                            String superuserPassword, String syncPolicy, String status, List<String> clientNetworks) {

    public ClusterRecord {
        clientNetworks = clientNetworks == null ? List.of() : List.copyOf(clientNetworks);
    }

    /** A cluster whose applications connect only from its computers. */
    public ClusterRecord(String name, String kind, String city, String primaryIdc, String backupIdc, int shards, int nodesPerIdc,
                         String database, String appUser, String appPassword, String superuser, String superuserPassword,
                         String syncPolicy, String status) {
        this(name, kind, city, primaryIdc, backupIdc, shards, nodesPerIdc, database, appUser, appPassword, superuser,
                superuserPassword, syncPolicy, status, List.of());
    }

    public static final String CREATING = "creating";
    public static final String RUNNING = "running";
    public static final String DELETING = "deleting";
}
