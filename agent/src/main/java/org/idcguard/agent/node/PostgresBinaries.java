package org.idcguard.agent.node;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The PostgreSQL server binaries of this host: found through {@code IDCGUARD_POSTGRES_BIN}, else {@code pg_config --bindir}, then {@code PATH},
 * then {@code /usr/lib/postgresql/<version>/bin} (newest first). Only version 13 or later counts.
 *
 * @param binDir  the folder holding postgres, initdb, pg_ctl, pg_basebackup, pg_rewind
 * @param version the server version, e.g. "15.18"
 */
public record PostgresBinaries(Path binDir, String version) {
    public static final int MIN_MAJOR = 13;
    private static final Pattern VERSION = Pattern.compile("\\(PostgreSQL\\) (\\d+)(\\.\\d+)?");

    /** Names the server binaries' folder explicitly; when set, nothing else is searched. */
    public static final String ENV = "IDCGUARD_POSTGRES_BIN";

    /** The lease check PostgreSQL preloads (extension/idcguard_lease): commits only while the manager's lease holds. */
    public static final String LEASE_LIBRARY = "idcguard_lease";

    public static Optional<PostgresBinaries> find() {
        String explicit = System.getenv(ENV);
        if (explicit != null && !explicit.isBlank()) {
            return at(Path.of(explicit));
        }
        for (Path dir : candidates()) {
            Optional<PostgresBinaries> found = at(dir);
            if (found.isPresent()) {
                return found;
            }
        }
        return Optional.empty();
    }

    public Path tool(String name) {
        return binDir.resolve(name);
    }

    /**
     * Whether the server library {@code name} is installed for these binaries ({@code <pkglibdir>/<name>.so}):
     * PostgreSQL refuses to start when a library it must preload is missing.
     */
    public boolean hasLibrary(String name) {
        return Files.isRegularFile(pkglibdir().resolve(name + ".so"));
    }

    /** These binaries' {@code pg_config --pkglibdir}, else bindir/../lib (Debian's /usr/lib/postgresql/<major>/lib). */
    public Path pkglibdir() {
        Path pgConfig = tool("pg_config");
        Optional<Path> reported = Files.isExecutable(pgConfig)
                ? run(pgConfig.toString(), "--pkglibdir").map(String::strip).filter(s -> !s.isEmpty()).map(Path::of)
                : Optional.empty();
        return reported.orElseGet(() -> binDir.toAbsolutePath().getParent().resolve("lib"));
    }

    public int major() {
        return Integer.parseInt(version.split("\\.")[0]);
    }

    static Optional<PostgresBinaries> at(Path dir) {
        Path postgres = dir.resolve("postgres");
        if (!Files.isExecutable(postgres)) {
            return Optional.empty();
        }
        return run(postgres.toString(), "--version").flatMap(out -> {
            Matcher m = VERSION.matcher(out);
            if (!m.find() || Integer.parseInt(m.group(1)) < MIN_MAJOR) {
                return Optional.empty();
            }
            return Optional.of(new PostgresBinaries(dir, m.group(1) + (m.group(2) == null ? "" : m.group(2))));
        });
    }

    private static List<Path> candidates() {
        List<Path> dirs = new ArrayList<>();
        run("pg_config", "--bindir").map(String::strip).filter(s -> !s.isEmpty()).map(Path::of).ifPresent(dirs::add);
        String path = System.getenv("PATH");
        if (path != null) {
            for (String entry : path.split(":")) {
                if (!entry.isBlank()) {
                    dirs.add(Path.of(entry));
                }
            }
        }
        Path debian = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(debian)) {
            try (Stream<Path> versions = Files.list(debian)) {
                versions.sorted(Comparator.comparing(PostgresBinaries::numericName).reversed())
                        .map(v -> v.resolve("bin")).forEach(dirs::add);
            } catch (IOException ignored) {
                // an unreadable folder simply offers no candidates
            }
        }
        return dirs;
    }

    private static int numericName(Path p) {
        try {
            return Integer.parseInt(p.getFileName().toString());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static Optional<String> run(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return Optional.empty();
            }
            return p.exitValue() == 0 ? Optional.of(out) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}
