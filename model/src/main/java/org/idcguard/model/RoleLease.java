package org.idcguard.model;

import java.util.List;

/**
 * What the leading manager tells a node agent, renewed every probe interval: which of its instances the manager
 * records as primaries. The node agent's {@code /primary} health check answers 200 only for a primary so recorded,
 * and, once the lease lapsed, only while a standby still streams from it: HAProxy never sends clients to a primary the
 * manager has deposed, even one that thaws after a freeze still believing it leads, yet a manager cut off alone does
 * not take the writes away.
 *
 * @param issuedAtMillis when the manager issued it (wall clock): a lease that reaches the node agent late, e.g. read
 *                       from its socket after the node agent was frozen, is already expired on arrival
 * @param validMillis    how long it holds from issue: the manager's failure window, so it has lapsed by the time the
 *                       manager could have promoted anyone else
 * @param primaries      the instances of this computer recorded as primaries
 */
public record RoleLease(long issuedAtMillis, long validMillis, List<String> primaries) {
    public RoleLease {
        primaries = primaries == null ? List.of() : List.copyOf(primaries);
    }

    /** Whether the lease names this instance and still holds at {@code nowMillis}. */
    public boolean holds(String instance, long nowMillis) {
        return primaries.contains(instance) && nowMillis >= issuedAtMillis - validMillis && nowMillis < issuedAtMillis + validMillis;
    }
}
