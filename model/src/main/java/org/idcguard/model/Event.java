package org.idcguard.model;

/**
 * One entry of the timeline: something the manager saw or did, said in a sentence.
 *
 * @param kind    a short machine-readable word, e.g. "computer.unreachable"
 * @param subject what it is about (an IDC, a computer address, a cluster)
 * @param actor   the operator whose request made it, or null for what the manager did by itself
 * @param reason  the reason the operator gave with the request (a ticket), or null
 */
public record Event(long id, long timeMillis, String kind, String subject, String message, String actor, String reason) {

    /** An event of the manager's own doing. */
    public Event(long id, long timeMillis, String kind, String subject, String message) {
        this(id, timeMillis, kind, subject, message, null, null);
    }
}
