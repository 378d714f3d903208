package org.idcguard.agent.manager.ha;

import java.util.List;
import org.idcguard.agent.manager.cluster.NodeRecord;

/**
 * What the engine asks of node agents: list, stop, start, follow. {@link HttpAgents} in production; the deterministic
 * simulation carries them out on its model. A call that does not reach the agent, or that the agent refuses, throws
 * a RuntimeException.
 */
interface Agents {
    /** Whether the node's instance runs, as its agent says. */
    enum Instance { RUNNING, STOPPED, MISSING }

    Instance instance(NodeRecord node);

    /** Stops the node's instance ({@code fast}: its last WAL goes to the standbys streaming from it). */
    void stop(NodeRecord node, String mode);

    /** Starts the node's instance as it was; starting one that runs does nothing. */
    void start(NodeRecord node);

    /**
     * Makes the node a standby of the upstream (rewound first when asked) and starts it; returns how it was brought
     * level when that was not pg_rewind (a fresh copy), else null.
     */
    String follow(NodeRecord node, NodeRecord upstream, boolean rewind, List<String> clientNetworks);

    /** Makes the node a standby of the upstream, without a rewind, and starts it. */
    default void follow(NodeRecord node, NodeRecord upstream) {
        follow(node, upstream, false, null);
    }
}
