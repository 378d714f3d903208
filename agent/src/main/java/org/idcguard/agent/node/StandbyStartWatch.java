package org.idcguard.agent.node;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Watches a rewound standby come up. pg_ctl's own wait would sit out its whole timeout when the primary has already
 * recycled a WAL segment the standby still needs to become consistent (it never accepts connections, and the primary
 * refuses the segment every half second); this watch reads the postmaster's status line and the instance's log written
 * since the start, so that case is seen within a second and the node can be copied again instead.
 */
final class StandbyStartWatch {
    /** How the start ended. */
    enum Outcome { READY, WAL_GONE, EXITED, TIMED_OUT }

    /** What the primary's walsender answers when the segment is gone; the standby logs it as the stream's error. */
    private static final String WAL_GONE_MESSAGE = "has already been removed";

    private final Path dataDir;
    private final Path logFile;
    private final long logOffset;

    /** Call before the start: only log lines written after this count. */
    StandbyStartWatch(Path dataDir, Path logFile) {
        this.dataDir = dataDir;
        this.logFile = logFile;
        this.logOffset = size(logFile);
    }

    Outcome await(Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        boolean seenRunning = false;
        while (System.nanoTime() < deadline) {
            List<String> pidFile = pidFile();
            if (pidFile.size() >= 8) {
                seenRunning = true;
                String status = pidFile.get(7).strip();
                if (status.equals("ready") || status.equals("standby")) {
                    return Outcome.READY;
                }
            }
            if (logSinceStart().contains(WAL_GONE_MESSAGE)) {
                return Outcome.WAL_GONE;
            }
            long pid = pidFile.isEmpty() ? 0 : parse(pidFile.get(0));
            if (seenRunning && !ProcessLiveness.running(pid)) {
                return Outcome.EXITED;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Outcome.TIMED_OUT;
            }
        }
        return Outcome.TIMED_OUT;
    }

    /** The log written since the watch began, for messages. */
    String logSinceStart() {
        try (RandomAccessFile f = new RandomAccessFile(logFile.toFile(), "r")) {
            long length = f.length();
            if (length <= logOffset) {
                return "";
            }
            byte[] bytes = new byte[(int) Math.min(length - logOffset, 1 << 20)];
            f.seek(logOffset);
            f.readFully(bytes);
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private List<String> pidFile() {
        try {
            return Files.readAllLines(dataDir.resolve("postmaster.pid"));
        } catch (IOException e) {
            return List.of();
        }
    }

    private static long parse(String line) {
        try {
            return Long.parseLong(line.strip());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static long size(Path file) {
        try {
            return Files.exists(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            return 0;
        }
    }
}
