package org.idcguard.agent.manager.quorum;

import java.util.List;

/**
 * How a manager joins a quorum: its member id, the members with their embedded ZooKeeper peers (empty when the
 * managers use an ensemble of their own at {@code zookeeper}), and the IDC or site it runs in, for display.
 */
public record QuorumOptions(int member, List<QuorumMember> members, String zookeeper, String idc) {

    /** The ZooKeeper connect string: the external ensemble, or every member's embedded peer. */
    public String connectString() {
        if (zookeeper != null && !zookeeper.isBlank()) {
            return zookeeper;
        }
        return String.join(",", members.stream().map(QuorumMember::clientAddress).toList());
    }

    public boolean embedded() {
        return zookeeper == null || zookeeper.isBlank();
    }
}
