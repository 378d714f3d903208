package org.idcguard.agent.home;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The bearer token every API call must carry. Written once with mode 0600; the manager, the node agents
 * of the same home and the console read it. Creation is race-free: the token is written to a private
 * temporary file and hard-linked into place, which fails if another process got there first.
 */
public final class TokenFile {
    private TokenFile() {
    }

    public static String loadOrCreate(Path file) {
        try {
            if (!Files.exists(file)) {
                create(file);
            }
            String token = Files.readString(file).strip();
            if (token.isEmpty()) {
                throw new IllegalStateException("The token file " + file + " is empty: delete it and start again.");
            }
            return token;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read or write the token file " + file + ": " + e.getMessage(), e);
        }
    }

    private static void create(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        Path tmp = Files.createTempFile(file.getParent(), ".token", ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.writeString(tmp, HexFormat.of().formatHex(secret) + "\n");
            Files.createLink(file, tmp);
        } catch (FileAlreadyExistsException raced) {
            // another process created it first; its token is the one
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
