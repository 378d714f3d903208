package org.idcguard.views.common;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/** How numbers and times read in the console. */
public final class Formats {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());
    private static final DateTimeFormatter EVENT_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS").withZone(ZoneId.systemDefault());

    private Formats() {
    }

    public static String bytes(long bytes) {
        if (bytes <= 0) {
            return "—";
        }
        double gib = bytes / (1024.0 * 1024 * 1024);
        return gib >= 1 ? String.format("%.1f GiB", gib) : String.format("%d MiB", bytes / (1024 * 1024));
    }

    public static String time(long epochMillis) {
        return epochMillis <= 0 ? "never" : TIME.format(Instant.ofEpochMilli(epochMillis));
    }

    /** To the millisecond: the steps of one takeover fall within the same second, and their order is the story. */
    public static String eventTime(long epochMillis) {
        return epochMillis <= 0 ? "never" : EVENT_TIME.format(Instant.ofEpochMilli(epochMillis));
    }
}
