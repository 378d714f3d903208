package org.idcguard.model;

import java.util.List;

/**
 * What the manager asks a node agent to run: one PostgreSQL instance of a replication group.
 *
 * @param name               unique on the computer, e.g. "sales-shard1-2"; also its application_name
 * @param role               "primary" (initdb) or "standby" (base backup from primaryHost:primaryPort)
 * @param superuser          the cluster's administrative role, used by the manager and for replication
 * @param clientAddresses    the hosts pg_hba lets in to everything, replication included: the cluster's computers and
 *                           the managers
 * @param clientNetworks     the applications' networks, let in to the databases (not to replication)
 */
public record InstanceSpec(String name, String cluster, int port, String role, String primaryHost, int primaryPort,
                           String superuser, String superuserPassword, List<String> clientAddresses, List<String> clientNetworks) {

    public InstanceSpec {
        clientNetworks = clientNetworks == null ? List.of() : List.copyOf(clientNetworks); // a spec written before they existed
    }

    /** An instance no application network may reach. */
    public InstanceSpec(String name, String cluster, int port, String role, String primaryHost, int primaryPort, String superuser,
                        String superuserPassword, List<String> clientAddresses) {
        this(name, cluster, port, role, primaryHost, primaryPort, superuser, superuserPassword, clientAddresses, List.of());
    }

    public static final String PRIMARY = "primary";
    public static final String STANDBY = "standby";

    public boolean isStandby() {
        return STANDBY.equals(role);
    }
}
