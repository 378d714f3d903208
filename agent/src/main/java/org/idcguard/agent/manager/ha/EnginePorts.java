package org.idcguard.agent.manager.ha;

import org.idcguard.agent.manager.EventLog;
import org.idcguard.agent.manager.Transactions;

/**
 * The engine's edges to the world, one value for its operations to take: the metadata store, the event log written
 * through it, PostgreSQL, and time. Production wires the real ones; the deterministic simulation its own.
 */
record EnginePorts(Transactions store, EventLog events, Nodes nodes, HaClock clock) {
}
