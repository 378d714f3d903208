package org.idcguard.agent.home;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.idcguard.model.HomeLayout;

/**
 * The agent's view of the IDC Guard home: the shared {@link HomeLayout}, plus where the manager's
 * metadata, the demo's PIDs and each computer's PostgreSQL instances live.
 */
public final class AgentHome {
    private final HomeLayout layout;

    public AgentHome(Path root) {
        this.layout = new HomeLayout(root);
    }

    /** The home named on the command line, else by IDCGUARD_HOME, else ~/.idcguard. */
    public static AgentHome resolve(Path fromCommandLine) {
        return new AgentHome(HomeLayout.resolve(fromCommandLine).root());
    }

    public Path root() {
        return layout.root();
    }

    public Path managerUrlFile() {
        return layout.managerUrlFile();
    }

    public Path tokenFile() {
        return layout.tokenFile();
    }

    public HomeLayout layout() {
        return layout;
    }

    /** The TLS material of this home: the CA (manager's home only), the CA certificate, each process's identity. */
    public Path tlsDir() {
        return root().resolve("tls");
    }

    public Path caCertificateFile() {
        return layout.caCertificateFile();
    }

    /** The manager's key and certificate, issued anew by its CA at every start. */
    public Path managerIdentityFile() {
        return tlsDir().resolve("manager.p12");
    }

    /** The key and certificate of the node agent of the computer at this address. */
    public Path nodeIdentityFile(String address) {
        return tlsDir().resolve("node-" + address + ".p12");
    }

    public Path logsDir() {
        return layout.logsDir();
    }

    public Path metadataDir() {
        return root().resolve("manager");
    }

    public Path demoPidsFile() {
        return root().resolve("demo.pids");
    }

    /**
     * Records a process the demo (or a drill restoring it) started, so {@code demo down} stops it by PID. The start time
     * makes the line name this process only: a PID is reused once the process is gone.
     */
    public void recordDemoProcess(ProcessHandle p, String logName) {
        long started = p.info().startInstant().map(java.time.Instant::toEpochMilli).orElse(0L);
        try {
            Files.writeString(demoPidsFile(), p.pid() + " " + logName + " " + started + "\n",
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + demoPidsFile() + ": " + e.getMessage(), e);
        }
    }

    /** Where the node agent of the computer at this address keeps its PostgreSQL instances. */
    public Path nodeDir(String address) {
        return root().resolve("nodes").resolve(address);
    }

    /**
     * Creates the home if it is not there yet, readable by its owner alone (it holds the CA's key, the token and the
     * metadata with the clusters' passwords). A home that exists keeps its mode: where a root node agent keeps its
     * PostgreSQL data depends on whether the home is reachable by others, and that must not move under a running estate.
     */
    public AgentHome create() {
        try {
            if (!Files.isDirectory(root())) {
                Files.createDirectories(root().toAbsolutePath().getParent());
                try {
                    Files.createDirectory(root(), java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                            java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
                } catch (java.nio.file.FileAlreadyExistsException raced) {
                    // made a moment ago by another process of this home
                }
            }
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create the IDC Guard home " + root() + ": " + e.getMessage(), e);
        }
    }

    /** The shared secret of this home, created on first use. */
    public String token() {
        return TokenFile.loadOrCreate(tokenFile());
    }

    /** The scrape identity's token, created with the home's first manager. */
    public String scrapeToken() {
        return TokenFile.loadOrCreate(layout.scrapeTokenFile());
    }

    /** What a client of this home calls with: the logged-in operator's session, else the home's token. */
    public String credential() {
        return layout.credential().orElseGet(this::token);
    }

    /** The manager's base URL as it last wrote it, if any. */
    public Optional<String> managerUrl() {
        return layout.managerUrl();
    }
}
