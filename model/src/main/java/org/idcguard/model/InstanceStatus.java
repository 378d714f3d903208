package org.idcguard.model;

/**
 * A PostgreSQL instance as its node agent finds it on disk and in the process table.
 *
 * @param pid       the postmaster's pid, or 0 when it is not running
 * @param standby   whether the data directory is set up as a standby (standby.signal present)
 */
public record InstanceStatus(String name, String cluster, int port, String dataDir, boolean running, long pid,
                             boolean standby) {
}
