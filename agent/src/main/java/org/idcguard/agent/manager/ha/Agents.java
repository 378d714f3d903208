package org.idcguard.agent.manager.ha;

import org.idcguard.agent.manager.cluster.NodeRecord;

/**
 * What the engine asks of node agents: stop, start, follow. {@link HttpAgents} in production; the deterministic
 * simulation carries them out on its model. A call that does not reach the agent, or that the agent refuses, throws
 * a RuntimeException.
 */
interface Agents {
    /** Stops the node's instance ({@code fast}: its last WAL goes to the standbys streaming from it). */
    void stop(NodeRecord node, String mode);

    /** Starts the node's instance as it was; starting one that runs does nothing. */
    void start(NodeRecord node);

    /** Makes the node a standby of the upstream, without a rewind, and starts it. */
    void follow(NodeRecord node, NodeRecord upstream);
}
