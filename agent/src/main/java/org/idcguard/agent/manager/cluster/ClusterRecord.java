package org.idcguard.agent.manager.cluster;

/** A cluster row, secrets included: only the manager sees these. */
public record ClusterRecord(String name, String kind, String city, String primaryIdc, String backupIdc, int shards,
                            int nodesPerIdc, String database, String appUser, String appPassword, String superuser,
                            String superuserPassword, String syncPolicy, String status) {

    public static final String CREATING = "creating";
    public static final String RUNNING = "running";
    public static final String DELETING = "deleting";
}
