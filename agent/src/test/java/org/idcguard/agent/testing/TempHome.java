package org.idcguard.agent.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** A throw-away IDCGUARD_HOME, removed with everything in it. */
public final class TempHome implements AutoCloseable {
    private final Path dir;

    public TempHome() {
        try {
            dir = Files.createTempDirectory("idcguard-test-");
            // Under root, PostgreSQL runs as an unprivileged user that must reach the data directories in here.
            Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public Path dir() {
        return dir;
    }

    @Override
    public void close() {
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
