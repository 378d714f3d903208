package org.idcguard.agent.manager.ha;

import java.util.Optional;
import org.idcguard.agent.manager.cluster.NodeRecord;

/**
 * A node as the manager sees it at one tick: its record, how many probes in a row failed, and the last observation
 * (present only when the latest probe answered).
 */
public record NodeState(NodeRecord node, int failures, boolean down, Optional<NodeObservation> observation) {

    /** The latest probe answered. */
    public boolean answering() {
        return failures == 0 && observation.isPresent();
    }

    public String name() {
        return node.name();
    }

    public String idc() {
        return node.idc();
    }

    public long lsn() {
        return observation.map(NodeObservation::lsn).orElse(0L);
    }
}
