package org.idcguard.agent.tls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;

/**
 * The password of the key stores a home keeps on disk: random, one per TLS folder, in {@code store.password} (0600)
 * beside them. A constant password would make a copied key store as good as a key; with this one, a key store leaks
 * only with the folder's password file. Stores written before there was such a file were locked with the old constant
 * ({@link #LEGACY}), which reading still tries.
 */
final class StorePassword {
    static final char[] LEGACY = "idcguard".toCharArray();
    private static final String FILE = "store.password";
    private static final SecureRandom RANDOM = new SecureRandom();

    private StorePassword() {
    }

    /** The password of the stores in this file's folder, made (race-free) the first time one is written there. */
    static char[] forWriting(Path storeFile) {
        Path file = storeFile.toAbsolutePath().getParent().resolve(FILE);
        if (Files.isRegularFile(file)) {
            return read(file);
        }
        char[] fresh = fresh();
        try {
            Files.createDirectories(file.getParent());
            Path tmp = Files.createTempFile(file.getParent(), ".store-password", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try {
                Files.writeString(tmp, new String(fresh), StandardOpenOption.TRUNCATE_EXISTING);
                Files.createLink(file, tmp);
            } catch (FileAlreadyExistsException raced) {
                // another process of this home made it first: its password is the one
            } finally {
                Files.deleteIfExists(tmp);
            }
            return read(file);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** The password to read this store with: the folder's, or the legacy one where the folder has none. */
    static char[] forReading(Path storeFile) {
        Path file = storeFile.toAbsolutePath().getParent().resolve(FILE);
        return Files.isRegularFile(file) ? read(file) : LEGACY;
    }

    private static char[] read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII).strip().toCharArray();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static char[] fresh() {
        String letters = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
        char[] password = new char[32];
        for (int i = 0; i < password.length; i++) {
            password[i] = letters.charAt(RANDOM.nextInt(letters.length()));
        }
        return password;
    }
}
