package org.idcguard.agent.manager.journal;

/**
 * Where the leader's metadata writes go before its own copy commits them: the managers' replicated log. A single
 * manager has none; its H2 copy is the only one.
 */
public interface Journal {
    /**
     * Appends the entry at the position after the last one, as the leader of its epoch; returns that position. Throws
     * {@link NotLeading} when this manager may not write (not the leader, or deposed): nothing was appended then.
     */
    long append(LogEntry entry);

    /**
     * The entry is in the log but this copy could not commit it: this copy is behind the log, so this manager must
     * stop leading (it catches up as a follower).
     */
    void behind(String why);

    /** The epoch this manager leads in; entries carry it. */
    long epoch();

    /** A write refused because this manager does not lead (a follower, or a leader that lost its quorum). */
    final class NotLeading extends RuntimeException {
        public NotLeading(String message) {
            super(message);
        }
    }
}
