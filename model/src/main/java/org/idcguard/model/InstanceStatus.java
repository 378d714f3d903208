package org.idcguard.model;

/**
 * A PostgreSQL instance as its node agent finds it on disk and in the process table.
 *
 * @param pid       the postmaster's pid, or 0 when it is not running
 * @param standby   whether the data directory is set up as a standby (standby.signal present)
 * @param copiedBy  after a rejoin, how its data was made to match the primary ("pg_rewind", or "a base backup" and
 *                  why); null otherwise
 */
public record InstanceStatus(String name, String cluster, int port, String dataDir, boolean running, long pid,
                             boolean standby, String copiedBy) {

    public InstanceStatus withCopiedBy(String how) {
        return new InstanceStatus(name, cluster, port, dataDir, running, pid, standby, how);
    }
}
