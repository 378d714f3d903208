package org.idcguard.model;

/**
 * A named operator as the manager lists them.
 *
 * @param role  "viewer", "operator" or "admin"
 * @param state "local" (the OS user who runs the manager, whose credential is the home's token), "active",
 *              "awaiting its code", "code expired" or "locked"
 */
public record OperatorInfo(String name, String role, String state, String createdBy, long createdMillis) {
}
