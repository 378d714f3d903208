package org.idcguard.agent.manager.ha;

/** WAL positions as PostgreSQL prints them ("16/B374D848") and as comparable numbers. */
public final class Lsn {
    private Lsn() {
    }

    public static long parse(String text) {
        if (text == null || text.isBlank()) {
            return 0;
        }
        int slash = text.indexOf('/');
        return (Long.parseLong(text.substring(0, slash), 16) << 32) | Long.parseLong(text.substring(slash + 1), 16);
    }

    public static String format(long lsn) {
        return Long.toHexString(lsn >>> 32).toUpperCase() + "/" + Long.toHexString(lsn & 0xFFFFFFFFL).toUpperCase();
    }
}
