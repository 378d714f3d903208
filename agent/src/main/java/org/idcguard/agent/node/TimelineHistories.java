package org.idcguard.agent.node;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Writes the timeline history files a copied standby lacks for the ancestors of its newest timeline.
 *
 * <p>A standby's WAL receiver asks its primary for the history file of every timeline from its own to the
 * primary's that it does not hold, and stops with "could not receive timeline history file" when the primary does not
 * hold it either. A node copied by pg_basebackup (WAL streamed) receives only the history file of the source's current
 * timeline, so after a few takeovers a primary may lack an ancestor's file, and a standby rewound from it waits until
 * the start limit (seen: 120 s in a chaos soak) before it is copied again. Each ancestor's history is the head of its
 * descendant's: the lines before the one that names the ancestor as parent, exactly as PostgreSQL writes it at a
 * promotion. Files that exist are never touched.
 */
final class TimelineHistories {
    private static final Pattern HISTORY = Pattern.compile("([0-9A-F]{8})\\.history");
    private static final Pattern LINE = Pattern.compile("^\\s*(\\d+)\\s.*");

    private TimelineHistories() {
    }

    /** Writes the missing ancestor history files in {@code pgWal}; returns the files written. */
    static List<Path> fillAncestors(Path pgWal) throws IOException {
        Optional<Path> newest = newest(pgWal);
        List<Path> written = new ArrayList<>();
        if (newest.isEmpty()) {
            return written;
        }
        List<String> lines = Files.readAllLines(newest.get());
        List<String> head = new ArrayList<>();
        for (String line : lines) {
            Matcher m = LINE.matcher(line);
            if (m.matches()) {
                long parent = Long.parseLong(m.group(1));
                Path file = pgWal.resolve(String.format("%08X.history", parent));
                if (parent > 1 && !Files.exists(file)) {
                    Files.writeString(file, head.isEmpty() ? "" : String.join("\n", head) + "\n");
                    written.add(file);
                }
            }
            head.add(line);
        }
        return written;
    }

    private static Optional<Path> newest(Path pgWal) throws IOException {
        if (!Files.isDirectory(pgWal)) {
            return Optional.empty();
        }
        try (Stream<Path> files = Files.list(pgWal)) {
            return files.filter(f -> HISTORY.matcher(f.getFileName().toString()).matches())
                    .max(java.util.Comparator.comparingLong(f -> Long.parseLong(f.getFileName().toString().substring(0, 8), 16)));
        }
    }
}
