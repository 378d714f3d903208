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
 * The password of a key store a home keeps on disk: random, one per store, in a file of its own beside it
 * ({@code ca.p12} has {@code ca.password}, 0600). A constant password would make a copied key store as good as a key;
 * with this one, a key store leaks only with its password file, and copying a store with its password file (the CA to
 * another manager of a quorum: {@code tls/ca.*}) takes both. Stores written before there were such files were locked
 * with the old constant ({@link #LEGACY}), which reading still tries.
 */
final class StorePassword {
    static final char[] LEGACY = "idcguard".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private StorePassword() {
    }

    /** The password of this store, made (race-free) the first time it is written. */
    static char[] forWriting(Path storeFile) {
        Path file = passwordFile(storeFile);
        if (Files.isRegularFile(file)) {
            return read(file);
        }
        char[] fresh = fresh();
        try {
            Files.createDirectories(file.getParent());
            Path tmp = Files.createTempFile(file.getParent(), ".password", ".tmp",
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

    /** The password to read this store with: its own, or the legacy one where it has none. */
    static char[] forReading(Path storeFile) {
        Path file = passwordFile(storeFile);
        return Files.isRegularFile(file) ? read(file) : LEGACY;
    }

    /** {@code NAME.p12} has {@code NAME.password} beside it. */
    static Path passwordFile(Path storeFile) {
        String name = storeFile.getFileName().toString();
        String stem = name.endsWith(".p12") ? name.substring(0, name.length() - 4) : name;
        return storeFile.toAbsolutePath().getParent().resolve(stem + ".password");
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
