package org.idcguard.model;

/** A new operator's one-time code, shown once to the admin who added them; it works until expiresMillis. */
public record OperatorCode(String name, String role, String code, long expiresMillis) {
}
