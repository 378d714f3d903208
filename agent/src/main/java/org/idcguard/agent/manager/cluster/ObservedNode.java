package org.idcguard.agent.manager.cluster;

import java.util.Map;
import java.util.Optional;

/**
 * A node as last observed: its role ("primary", "standby" or "down"), WAL position, and for a primary its standbys'
 * sync state and lag in bytes.
 */
public record ObservedNode(String role, String lsn, Map<String, Replica> replicas) {

    public record Replica(String syncState, long lagBytes) {
    }

    public static ObservedNode down() {
        return new ObservedNode("down", null, Map.of());
    }

    /** Where observations come from: the HA loop's last tick, so a read of the API logs in to no node. */
    @FunctionalInterface
    public interface Source {
        /** The node as the last tick saw it, or empty when the loop has not observed it (yet). */
        Optional<ObservedNode> of(String node);
    }
}
