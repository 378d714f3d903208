package org.idcguard.agent.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The application of the lab: on an application host (the outside one unless another is chosen), a shell loop of psql that opens a new connection for every
 * write through a URI, as the simplest application would, and writes down each acknowledged id with the time (ms) it
 * was acknowledged. What it saw is what a client saw: its longest gap is the client-observed RTO.
 */
public final class AppWriter implements AutoCloseable {
    private final Path acked;
    private final Path running;
    private final Process process;

    /** One acknowledged write: its id and when the client had the acknowledgement. */
    public record Ack(long id, long atMillis) {
    }

    /** A writer on the outside application host ({@link LabNetwork#application()}). */
    public AppWriter(Path dir, Path psql, String uri, String table) {
        this(LabNetwork.application(), dir, psql, uri, table);
    }

    /** A writer on the chosen host, e.g. {@link LabNetwork#cityApplication()} inside the main city. */
    public AppWriter(LabHost host, Path dir, Path psql, String uri, String table) {
        try {
            Files.createDirectories(dir);
            this.acked = dir.resolve(table + ".acked");
            this.running = dir.resolve(table + ".running");
            Files.writeString(running, "");
            String script = "i=0; while [ -e '" + running + "' ]; do i=$((i+1)); if '" + psql + "' '" + Psql.split(uri).uri()
                    + "' -qAtX -c \"INSERT INTO " + table + " VALUES ($i)\" >/dev/null 2>&1; then echo \"$i $(date +%s%3N)\"; fi; done";
            ProcessBuilder pb = new ProcessBuilder(LabNetwork.inside(host, List.of("sh", "-c", script)))
                    .redirectOutput(acked.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD);
            pb.environment().putAll(Psql.environment(uri)); // the password stays out of the process list
            this.process = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start the application's writer: " + e.getMessage(), e);
        }
    }

    /** A writer on the chosen host (the same as the constructor). */
    public static AppWriter on(LabHost host, Path dir, Path psql, String uri, String table) {
        return new AppWriter(host, dir, psql, uri, table);
    }

    public List<Ack> acked() {
        List<Ack> all = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(acked)) {
                String[] parts = line.strip().split(" ");
                if (parts.length == 2 && parts[0].matches("\\d+") && parts[1].matches("\\d+")) {
                    all.add(new Ack(Long.parseLong(parts[0]), Long.parseLong(parts[1])));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return all;
    }

    /** The longest time between two acknowledgements from {@code fromMillis} on (a stall still open counts to now). */
    public long longestGapAfter(long fromMillis) {
        long previous = -1;
        long longest = 0;
        for (Ack a : acked()) {
            if (previous >= 0 && a.atMillis() >= fromMillis) {
                longest = Math.max(longest, a.atMillis() - previous); // the gap that spans the fault counts whole
            }
            previous = a.atMillis();
        }
        return previous < 0 ? System.currentTimeMillis() - fromMillis : Math.max(longest, System.currentTimeMillis() - previous);
    }

    @Override
    public void close() {
        try {
            Files.deleteIfExists(running);
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
