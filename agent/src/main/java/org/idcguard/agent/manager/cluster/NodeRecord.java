package org.idcguard.agent.manager.cluster;

/** A node row: where an instance of a group lives and the role the manager last gave it. */
public record NodeRecord(String name, String cluster, String group, String idc, String address, String agentEndpoint,
                         int port, String dataDir, String role) {
}
