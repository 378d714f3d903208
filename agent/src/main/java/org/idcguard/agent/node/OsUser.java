package org.idcguard.agent.node;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Who PostgreSQL runs as. PostgreSQL refuses to run as root, so a node agent running as root runs it as the
 * unprivileged system user {@value #NAME} (created on first use) and hands it the data directories.
 */
final class OsUser {
    static final String NAME = "idcguard";
    private final boolean asRoot;

    private OsUser(boolean asRoot) {
        this.asRoot = asRoot;
    }

    static OsUser forThisProcess() {
        boolean root = "root".equals(System.getProperty("user.name"));
        if (root) {
            ensureUserExists();
        }
        return new OsUser(root);
    }

    boolean isRoot() {
        return asRoot;
    }

    /** The command as the PostgreSQL user runs it. */
    List<String> wrap(List<String> command) {
        if (!asRoot) {
            return command;
        }
        List<String> wrapped = new ArrayList<>(List.of("runuser", "-u", NAME, "--"));
        wrapped.addAll(command);
        return wrapped;
    }

    /**
     * Gives the PostgreSQL user these files or folders (not what is inside a folder: instances of one computer
     * are made in parallel, and each owns only what it created).
     */
    void own(Path... paths) {
        if (asRoot) {
            List<String> command = new ArrayList<>(List.of("chown", NAME + ":" + NAME));
            for (Path p : paths) {
                command.add(p.toString());
            }
            Command.run("chown", command, Map.of(), Duration.ofSeconds(60));
        }
    }

    private static synchronized void ensureUserExists() {
        try {
            Command.run("id", List.of("id", "-u", NAME), Map.of(), Duration.ofSeconds(10));
        } catch (Command.CommandFailed missing) {
            try {
                Command.run("useradd", List.of("useradd", "--system", "--user-group", "--no-create-home", "--shell", "/usr/sbin/nologin", NAME),
                        Map.of(), Duration.ofSeconds(30));
            } catch (Command.CommandFailed raced) {
                // node agents started together on a fresh machine each find the user missing; one of them creates it
                Command.run("id", List.of("id", "-u", NAME), Map.of(), Duration.ofSeconds(10));
            }
        }
    }
}
