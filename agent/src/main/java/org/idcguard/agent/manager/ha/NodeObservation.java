package org.idcguard.agent.manager.ha;

import java.util.List;
import java.util.Optional;

/**
 * What one probe of a node saw.
 *
 * @param inRecovery   true for a standby
 * @param lsn          a primary's current WAL position, a standby's received (or replayed, if further) position
 * @param readOnly     default_transaction_read_only: a fenced former primary says yes
 * @param syncNames    the primary's synchronous_standby_names as configured
 * @param receiver     a standby's WAL receiver, if it has one
 * @param replicas     a primary's standbys as pg_stat_replication shows them
 * @param upstreamSet  a standby's primary_conninfo is set (a takeover empties it to detach the standby)
 * @param leaseStamp   when its lease file ({@code idcguard.lease}) was last written, as the node's file system stamps
 *                     it (milliseconds of the node's wall clock; compared only with itself, never with a clock); -1
 *                     without a file
 * @param leaseCheckLoaded the {@code idcguard_lease} library is among its shared_preload_libraries
 */
public record NodeObservation(boolean inRecovery, long lsn, boolean readOnly, String syncNames, Optional<Receiver> receiver,
                              List<Replica> replicas, boolean upstreamSet, long leaseStamp, boolean leaseCheckLoaded) {

    public NodeObservation(boolean inRecovery, long lsn, boolean readOnly, String syncNames, Optional<Receiver> receiver,
                           List<Replica> replicas, boolean upstreamSet) {
        this(inRecovery, lsn, readOnly, syncNames, receiver, replicas, upstreamSet, -1, false);
    }

    /**
     * A primary whose commits the lease check governs: the library is loaded and a lease file is there (the library
     * enforces nothing without one). Only then does its lease bound how long it may acknowledge once nobody sees it.
     */
    public boolean leaseEnforced() {
        return leaseCheckLoaded && leaseStamp >= 0;
    }

    public NodeObservation(boolean inRecovery, long lsn, boolean readOnly, String syncNames, Optional<Receiver> receiver,
                           List<Replica> replicas) {
        this(inRecovery, lsn, readOnly, syncNames, receiver, replicas, true);
    }

    /** A standby left detached by a takeover that did not finish: it follows nobody until it is pointed somewhere. */
    public boolean detached() {
        return inRecovery && !upstreamSet;
    }

    /** A standby's WAL stream as it sees it: where from, and how long since it last heard anything. */
    public record Receiver(String status, String senderHost, int senderPort, long silenceMillis) {

        /** True when the stream from host:port is up and was heard from within the silence allowed. */
        public boolean hears(String host, int port, long silenceAllowedMillis) {
            return "streaming".equals(status) && host.equals(senderHost) && port == senderPort
                    && silenceMillis >= 0 && silenceMillis <= silenceAllowedMillis;
        }
    }

    /**
     * A standby connected to this primary, by its application_name (the node name); replayLagMillis is
     * pg_stat_replication's replay_lag (0 when idle: PostgreSQL clears it when the standby has replayed everything).
     */
    public record Replica(String name, String state, String syncState, long flushLsn, long replayLagMillis) {
        public Replica(String name, String state, String syncState, long flushLsn) {
            this(name, state, syncState, flushLsn, 0);
        }
    }

    public Optional<Replica> replica(String name) {
        return replicas.stream().filter(r -> r.name().equals(name)).findFirst();
    }

    /** A primary that would accept writes: out of recovery and not fenced. */
    public boolean writable() {
        return !inRecovery && !readOnly;
    }
}
