package org.idcguard.model;

/**
 * A dangerous operation held by the four-eyes rule until a second admin approves it.
 *
 * @param kind   "dr-promotion" or "cluster-deletion"
 * @param what   the operation in words, e.g. "the DR promotion of Orders to IDC3 (latest)"
 * @param state  "waiting", "approved" (the operation started: taskId), "rejected", "failed" (refused when approved) or "expired"
 */
public record Approval(long id, String kind, String subject, String what, String requestedBy, String reason,
                       long requestedMillis, long expiresMillis, String state, String decidedBy, long decidedMillis,
                       Long taskId) {
}
