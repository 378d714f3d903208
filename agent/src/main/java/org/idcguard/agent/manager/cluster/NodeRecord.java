package org.idcguard.agent.manager.cluster;

/**
 * A node row: where an instance of a group lives and the role the manager last gave it. {@code needsRejoin}
 * marks a node that may hold WAL the group's current primary never had (a former primary, or a node that did not
 * answer when its group failed over): it is rewound from the primary before it streams again.
 */
public record NodeRecord(String name, String cluster, String group, String idc, String address, String agentEndpoint,
                         int port, String dataDir, String role, boolean needsRejoin) {

    public boolean isPrimary() {
        return "primary".equals(role);
    }
}
