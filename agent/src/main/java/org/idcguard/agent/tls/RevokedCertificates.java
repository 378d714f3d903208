package org.idcguard.agent.tls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.idcguard.agent.home.AtomicFiles;

/**
 * The certificates of our CA that no longer admit anyone (a removed computer's, a replaced router certificate), by
 * serial number, as a node agent holds them: the leading manager sends the list, the node keeps it in a 0600 file so a
 * restart refuses them too, and every TLS handshake of the node agent checks it ({@link RevocationCheckingTrust}).
 * {@link #digest()} names a list, so the manager sends it only when a node holds another.
 */
public final class RevokedCertificates {
    /** The response header in which a node agent names the list it holds ({@link #digest()}). */
    public static final String HEADER = "X-IDCGuard-Revocations";
    private final Path file;
    private volatile Set<String> serials;

    private RevokedCertificates(Path file, Set<String> serials) {
        this.file = file;
        this.serials = serials;
    }

    /** A list held in memory only (the manager's, refreshed from its store every probe round). */
    public static RevokedCertificates inMemory() {
        return new RevokedCertificates(null, Set.of());
    }

    /** The list kept in this file, empty if there is none yet. */
    public static RevokedCertificates load(Path file) {
        try {
            Set<String> serials = new TreeSet<>();
            if (Files.isRegularFile(file)) {
                for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
                    if (!line.isBlank()) {
                        serials.add(normal(line));
                    }
                }
            }
            return new RevokedCertificates(file, Set.copyOf(serials));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the revoked certificates " + file + ": " + e.getMessage(), e);
        }
    }

    /** Replaces the list (kept on disk first, so what is refused now is refused after a restart). */
    public synchronized void replace(List<String> revoked) {
        Set<String> next = new TreeSet<>();
        for (String serial : revoked) {
            next.add(normal(serial));
        }
        if (file != null) {
            AtomicFiles.write(file, String.join("\n", next) + "\n", "rw-------");
        }
        serials = Set.copyOf(next);
    }

    public boolean isRevoked(X509Certificate certificate) {
        return serials.contains(serial(certificate));
    }

    /** Names the list: the same for the same serials, in any order. */
    public String digest() {
        return digest(serials);
    }

    public static String digest(java.util.Collection<String> serials) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String serial : new TreeSet<>(serials.stream().map(RevokedCertificates::normal).toList())) {
                sha.update((serial + "\n").getBytes(StandardCharsets.US_ASCII));
            }
            return HexFormat.of().formatHex(sha.digest()).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A certificate's serial number as the list writes it: lower-case hex. */
    public static String serial(X509Certificate certificate) {
        return certificate.getSerialNumber().toString(16);
    }

    private static String normal(String serial) {
        String s = serial.strip().toLowerCase(java.util.Locale.ROOT);
        if (!s.matches("[0-9a-f]{1,64}")) {
            throw new IllegalArgumentException("A certificate serial number is 1 to 64 hex digits, not '" + serial.strip() + "'.");
        }
        return new BigInteger(s, 16).toString(16);
    }
}
