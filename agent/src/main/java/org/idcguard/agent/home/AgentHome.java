package org.idcguard.agent.home;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The folder that holds all state: {@code IDCGUARD_HOME}, or {@code ~/.idcguard}.
 * Manager, node agents, demo and console find each other through the files in it.
 */
public final class AgentHome {
    public static final String ENV = "IDCGUARD_HOME";
    private final Path root;

    public AgentHome(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    /** The home named on the command line, else by IDCGUARD_HOME, else ~/.idcguard. */
    public static AgentHome resolve(Path fromCommandLine) {
        if (fromCommandLine != null) {
            return new AgentHome(fromCommandLine);
        }
        String env = System.getenv(ENV);
        if (env != null && !env.isBlank()) {
            return new AgentHome(Path.of(env));
        }
        return new AgentHome(Path.of(System.getProperty("user.home"), ".idcguard"));
    }

    public Path root() {
        return root;
    }

    public Path managerUrlFile() {
        return root.resolve("manager.url");
    }

    public Path tokenFile() {
        return root.resolve("manager.token");
    }

    public Path metadataDir() {
        return root.resolve("manager");
    }

    public Path logsDir() {
        return root.resolve("logs");
    }

    public Path demoPidsFile() {
        return root.resolve("demo.pids");
    }

    /** Where the node agent of the computer at this address keeps its PostgreSQL instances. */
    public Path nodeDir(String address) {
        return root.resolve("nodes").resolve(address);
    }

    public AgentHome create() {
        try {
            Files.createDirectories(root);
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create the IDC Guard home " + root + ": " + e.getMessage(), e);
        }
    }

    /** The shared secret of this home, created on first use. */
    public String token() {
        return TokenFile.loadOrCreate(tokenFile());
    }

    /** The manager's base URL as it last wrote it, if any. */
    public Optional<String> managerUrl() {
        try {
            return Files.isRegularFile(managerUrlFile())
                    ? Optional.of(Files.readString(managerUrlFile()).strip()) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
