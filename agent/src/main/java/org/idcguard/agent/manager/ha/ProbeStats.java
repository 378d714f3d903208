package org.idcguard.agent.manager.ha;

/**
 * A node's probing as the metrics show it.
 *
 * @param latencyMicros how long the last answered probe took (connect and statements); -1 before the first answer
 * @param failedTotal   probes counted failed since this manager started
 */
public record ProbeStats(long latencyMicros, long failedTotal) {
}
