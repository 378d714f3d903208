package org.idcguard.model;

import java.util.List;

/**
 * What the manager asks a node agent to run: one PostgreSQL instance of a replication group.
 *
 * @param name               unique on the computer, e.g. "sales-shard1-2"; also its application_name
 * @param role               "primary" (initdb) or "standby" (base backup from primaryHost:primaryPort)
 * @param superuser          the cluster's administrative role, used by the manager and for replication
 * @param clientAddresses    the only addresses pg_hba lets in: the cluster's computers and the manager
 */
public record InstanceSpec(String name, String cluster, int port, String role, String primaryHost, int primaryPort,
                           String superuser, String superuserPassword, List<String> clientAddresses) {

    public static final String PRIMARY = "primary";
    public static final String STANDBY = "standby";

    public boolean isStandby() {
        return STANDBY.equals(role);
    }
}
