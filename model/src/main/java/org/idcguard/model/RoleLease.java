package org.idcguard.model;

import java.util.List;

/**
 * What the leading manager tells a node agent, renewed every probe interval: which of its instances the manager
 * records as primaries. The node agent's {@code /primary} health check answers 200 only for a primary so recorded,
 * and, once the lease lapsed, only while a standby still streams from it: HAProxy never sends clients to a primary the
 * manager has deposed, even one that thaws after a freeze still believing it leads, yet a manager cut off alone does
 * not take the writes away. The same lease is what the primary's node agent keeps in its data directory for the
 * {@code idcguard_lease} library, which refuses commits once it has run out.
 *
 * @param issuedAtMillis when the manager issued it (wall clock): a lease that reaches the node agent late, e.g. read
 *                       from its socket after the node agent was frozen, is already expired on arrival
 * @param validMillis    how long it holds from issue: the manager's failure window, so it has lapsed by the time the
 *                       manager could have promoted anyone else
 * @param primaries      the instances of this computer recorded as primaries
 * @param witnesses      per primary, the DR-city standbys of its group: while the manager's lease is out, the node agent
 *                       extends it only while they all stream from the primary (and one standby its commits wait for
 *                       does), so a main city cut off from the manager and the DR city stops acknowledging by itself
 *                       before the DBA can promote the DR city
 */
public record RoleLease(long issuedAtMillis, long validMillis, List<String> primaries, java.util.Map<String, List<String>> witnesses) {
    /**
     * The file in a primary's data directory that holds its lease deadline (milliseconds of CLOCK_MONOTONIC), which
     * the {@code idcguard_lease} library reads at every commit and the manager's probe reads the age of.
     */
    public static final String FILE = "idcguard.lease";

    public RoleLease {
        primaries = primaries == null ? List.of() : List.copyOf(primaries);
        witnesses = witnesses == null ? java.util.Map.of() : java.util.Map.copyOf(witnesses);
    }

    public RoleLease(long issuedAtMillis, long validMillis, List<String> primaries) {
        this(issuedAtMillis, validMillis, primaries, java.util.Map.of());
    }

    /** The DR-city standbys of a primary's group, which must all stream from it for its node agent to extend its lease. */
    public List<String> witnessesOf(String primary) {
        return witnesses.getOrDefault(primary, List.of());
    }

    /**
     * Whether this lease, sent under {@code epoch}, replaces {@code earlier}, sent under {@code earlierEpoch}: a newer
     * epoch's always (a new leader's wall clock may lag its predecessor's), else only one issued no earlier (an older
     * lease read late from a socket is dropped).
     */
    public boolean supersedes(RoleLease earlier, long earlierEpoch, long epoch) {
        return epoch > earlierEpoch || (epoch == earlierEpoch && issuedAtMillis >= earlier.issuedAtMillis());
    }

    /** Whether the lease names this instance and still holds at {@code nowMillis}. */
    public boolean holds(String instance, long nowMillis) {
        return primaries.contains(instance) && nowMillis >= issuedAtMillis - validMillis && nowMillis < issuedAtMillis + validMillis;
    }
}
