package org.idcguard.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where things are in an IDC Guard home ({@code IDCGUARD_HOME}, default {@code ~/.idcguard}): the files
 * by which manager, node agents, command line and console find each other (docs/architecture.md, "Contracts").
 */
public record HomeLayout(Path root) {
    public static final String ENV = "IDCGUARD_HOME";

    public HomeLayout {
        root = root.toAbsolutePath().normalize();
    }

    /** The home named explicitly (may be null), else by IDCGUARD_HOME, else ~/.idcguard. */
    public static HomeLayout resolve(Path explicit) {
        return resolve(explicit, System.getenv(ENV), System.getenv("HOME"), System.getProperty("user.home"));
    }

    /**
     * The same from the environment's values: ~ is $HOME, as the shell and the README mean it; the JVM's user.home
     * comes from the password file and differs under sudo or a changed HOME, so it serves only when HOME is unset.
     */
    static HomeLayout resolve(Path explicit, String idcguardHome, String home, String userHome) {
        if (explicit != null) {
            return new HomeLayout(explicit);
        }
        if (idcguardHome != null && !idcguardHome.isBlank()) {
            return new HomeLayout(Path.of(idcguardHome));
        }
        return new HomeLayout(Path.of(home != null && !home.isBlank() ? home : userHome, ".idcguard"));
    }

    public Path managerUrlFile() {
        return root.resolve("manager.url");
    }

    public Path tokenFile() {
        return root.resolve("manager.token");
    }

    /** The certificate of the manager's own CA (public): clients trust exactly it, node agents are enrolled under it. */
    public Path caCertificateFile() {
        return root.resolve("tls").resolve("ca.crt");
    }

    public Path logsDir() {
        return root.resolve("logs");
    }

    /** The manager's base URL as it last wrote it, if any (in a quorum: the leader's, as it last wrote it). */
    public Optional<String> managerUrl() {
        return read(managerUrlFile());
    }

    /** Every manager of a quorum, one URL a line ({@code demo up --managers 3} writes it); absent for a sole manager. */
    public Path managerUrlsFile() {
        return root.resolve("manager.urls");
    }

    /**
     * Where to look for the manager, in order: the URL the leader last wrote, then every manager of the quorum. A
     * client asks each in turn which one leads.
     */
    public java.util.List<String> managerCandidates() {
        java.util.LinkedHashSet<String> urls = new java.util.LinkedHashSet<>();
        managerUrl().ifPresent(urls::add);
        read(managerUrlsFile()).ifPresent(all -> all.lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#"))
                .forEach(urls::add));
        return java.util.List.copyOf(urls);
    }

    /** The token, if the file exists. */
    public Optional<String> token() {
        return read(tokenFile());
    }

    /** The scrape identity's token (0600): it reads /metrics and nothing else; Prometheus's credentials_file. */
    public Path scrapeTokenFile() {
        return root.resolve("scrape.token");
    }

    /** The session of the operator logged in from this home ({@code ./idcguard login}), 0600. */
    public Path sessionFile() {
        return root.resolve("operator.session");
    }

    /**
     * The bearer token a client of this home calls with: the logged-in operator's session, else the home's token (the
     * local admin's credential, on the manager's own computer).
     */
    public Optional<String> credential() {
        Optional<String> session = read(sessionFile());
        return session.isPresent() ? session : token();
    }

    /** The logged-in operator's session token, if one is kept here. */
    public Optional<String> session() {
        return read(sessionFile());
    }

    /**
     * Keeps an operator's session token: written to a file readable by its owner alone from its first byte, then moved
     * into place, so it is never half written nor readable by others.
     */
    public void writeSession(String token) throws IOException {
        Files.createDirectories(root);
        Path tmp = Files.createTempFile(root, ".session", ".tmp",
                java.nio.file.attribute.PosixFilePermissions.asFileAttribute(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        try {
            Files.writeString(tmp, token + "\n");
            Files.move(tmp, sessionFile(), java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Forgets the session kept here (a logout). */
    public void deleteSession() throws IOException {
        Files.deleteIfExists(sessionFile());
    }

    private static Optional<String> read(Path file) {
        try {
            return Files.isRegularFile(file) ? Optional.of(Files.readString(file).strip()).filter(s -> !s.isEmpty())
                    : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
