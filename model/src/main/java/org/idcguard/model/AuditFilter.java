package org.idcguard.model;

/** What an audit view narrows by; null means any. Times in ms since the epoch. */
public record AuditFilter(String operator, String subject, String kind, Long sinceMillis, Long untilMillis) {
    public static final AuditFilter ALL = new AuditFilter(null, null, null, null, null);
}
