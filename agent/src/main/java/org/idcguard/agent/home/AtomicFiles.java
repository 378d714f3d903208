package org.idcguard.agent.home;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Files written whole or not at all: the content goes to a temporary file of the given mode beside the target, which
 * is then moved into place, so a reader never meets half a file and a secret is never readable by others, not even
 * for a moment.
 */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    /** Writes the file with this POSIX mode (e.g. "rw-------"), creating its folder if needed. */
    public static void write(Path file, byte[] content, String mode) {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = Files.createTempFile(file.getParent(), "." + file.getFileName(), ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(mode)));
            try {
                Files.write(tmp, content);
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    public static void write(Path file, String content, String mode) {
        write(file, content.getBytes(java.nio.charset.StandardCharsets.UTF_8), mode);
    }
}
