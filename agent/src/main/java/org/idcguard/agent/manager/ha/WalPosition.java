package org.idcguard.agent.manager.ha;

/**
 * Where a standby's WAL ends, on which timeline. Positions on a later timeline come after any position on an earlier
 * one: a standby that already follows a promoted node holds history the others will have to follow.
 */
public record WalPosition(int timeline, long lsn) implements Comparable<WalPosition> {

    @Override
    public int compareTo(WalPosition other) {
        return timeline != other.timeline ? Integer.compare(timeline, other.timeline) : Long.compare(lsn, other.lsn);
    }

    public boolean atLeast(WalPosition other) {
        return compareTo(other) >= 0;
    }

    @Override
    public String toString() {
        return Lsn.format(lsn) + " (timeline " + timeline + ")";
    }
}
