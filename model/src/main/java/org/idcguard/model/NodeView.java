package org.idcguard.model;

/**
 * One node as the manager sees it now.
 *
 * @param role      "primary" or "standby" as the node itself reports it; "down" when it does not answer
 * @param syncState as the group's primary reports it: "sync", "quorum", "async", "potential", or "-" when not streaming
 * @param lagBytes  how far its replay is behind the primary, -1 when unknown
 */
public record NodeView(String name, String group, String idc, String address, int port, String role, long pid,
                       String dataDir, String syncState, long lagBytes, String lsn) {
}
