package org.idcguard.agent.node;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes each primary's lease file on a thread of that instance's own, the newest deadline last. Writing a lease file
 * takes its instance's lock, which a stop, a rewind or a base backup of that instance holds for seconds: a lease from
 * the manager written in line behind it kept every other primary of the computer waiting, their leases ran out, and
 * their node agent stopped them one after another (a chaos soak lost every primary of a group that way after a
 * freeze). Here one instance busy never holds another's lease back.
 *
 * <p>A deadline decided while an earlier one still waits replaces it, so a file never goes back to an older deadline.
 * A later file write is never less safe than the decision: until it lands the file holds the deadline before, which
 * runs out by itself no later than the lease that set it (and the manager counts leases from their issue, not from
 * their writing).
 */
final class LeaseFiles implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LeaseFiles.class);
    /** What writes one instance's file (under its instance's lock): {@code PgInstances.writeLease}. */
    interface Writer {
        void write(String name, long deadline) throws IOException;
    }

    private final Writer writer;
    /** Per instance, the newest deadline not yet written. */
    private final Map<String, Long> pending = new ConcurrentHashMap<>();
    private final Map<String, ExecutorService> writers = new ConcurrentHashMap<>();

    LeaseFiles(Writer writer) {
        this.writer = writer;
    }

    /** Has the instance's lease file say this deadline (monotonic ms) as soon as its instance's lock is free. */
    void write(String name, long deadline) {
        if (pending.put(name, deadline) == null) {
            // nothing of this instance waits yet: a write is queued; otherwise the queued one takes this deadline
            writers.computeIfAbsent(name, n -> Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "lease-file-" + n);
                t.setDaemon(true);
                return t;
            })).execute(() -> flush(name));
        }
    }

    private void flush(String name) {
        Long deadline = pending.remove(name);
        if (deadline == null) {
            return;
        }
        try {
            writer.write(name, deadline);
        } catch (IOException e) {
            log.warn("Cannot write the lease of {}: {}", name, e.getMessage());
        }
    }

    @Override
    public void close() {
        writers.values().forEach(ExecutorService::shutdownNow);
    }
}
