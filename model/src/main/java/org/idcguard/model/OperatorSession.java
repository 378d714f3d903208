package org.idcguard.model;

/** A session after a login: its bearer token (shown once), whose it is, and until when it holds. */
public record OperatorSession(String token, String name, String role, long expiresMillis) {
}
