package org.idcguard.model;

/**
 * One entry of the timeline: something the manager saw or did, said in a sentence.
 *
 * @param kind    a short machine-readable word, e.g. "computer.unreachable"
 * @param subject what it is about (an IDC, a computer address, a cluster)
 */
public record Event(long id, long timeMillis, String kind, String subject, String message) {
}
