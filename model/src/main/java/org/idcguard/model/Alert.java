package org.idcguard.model;

/**
 * An event a DBA must see, raised by the manager and acknowledged once.
 *
 * @param level        "critical", "warning" or "info"
 * @param eventId      the timeline event it was raised from
 * @param ackedMillis  when it was acknowledged, 0 while open
 * @param ackedBy      the operator who acknowledged it, or null
 */
public record Alert(long id, long eventId, long timeMillis, String level, String kind, String subject, String message,
                    long ackedMillis, String ackedBy) {

    public Alert(long id, long eventId, long timeMillis, String level, String kind, String subject, String message,
                 long ackedMillis) {
        this(id, eventId, timeMillis, level, kind, subject, message, ackedMillis, null);
    }

    public boolean open() {
        return ackedMillis == 0;
    }
}
