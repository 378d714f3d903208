package org.idcguard.agent.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Looks for secrets where they must never be: every log file under a home (manager, node agents, PostgreSQL). */
public final class SecretScan {
    private SecretScan() {
    }

    /** "file: secret #i" for every log file holding one of the secrets; empty when none does. */
    public static List<String> logsHolding(Path root, List<String> secrets) {
        List<String> found = new ArrayList<>();
        try (Stream<Path> all = Files.walk(root)) {
            for (Path f : all.filter(p -> Files.isRegularFile(p) && p.getFileName().toString().endsWith(".log")).toList()) {
                String text = new String(Files.readAllBytes(f), StandardCharsets.UTF_8);
                for (int i = 0; i < secrets.size(); i++) {
                    if (text.contains(secrets.get(i))) {
                        found.add(root.relativize(f) + ": secret #" + i);
                    }
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return found;
    }

    /**
     * "file: secret #i (mode)" for every file of these that holds one of the secrets and that its group or anyone else
     * may read; empty when none does. PostgreSQL's own data files (0600 by PostgreSQL) and files over 1 MB are skipped.
     */
    public static List<String> readableByOthers(List<Path> files, List<String> secrets) {
        List<String> found = new ArrayList<>();
        for (Path f : files) {
            try {
                if (!Files.isRegularFile(f) || Files.size(f) > 1 << 20 || f.toString().contains("/pg_wal/") || f.toString().contains("/base/")) {
                    continue;
                }
                var mode = Files.getPosixFilePermissions(f);
                if (!mode.contains(java.nio.file.attribute.PosixFilePermission.GROUP_READ)
                        && !mode.contains(java.nio.file.attribute.PosixFilePermission.OTHERS_READ)) {
                    continue;
                }
                String text = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
                for (int i = 0; i < secrets.size(); i++) {
                    if (text.contains(secrets.get(i))) {
                        found.add(f + ": secret #" + i + " (" + java.nio.file.attribute.PosixFilePermissions.toString(mode) + ")");
                    }
                }
            } catch (java.nio.file.NoSuchFileException gone) {
                // a temporary file moved away while the list was walked
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return found;
    }

    /** How many log files the scan read (a scan that read nothing proves nothing). */
    public static long logCount(Path root) {
        try (Stream<Path> all = Files.walk(root)) {
            return all.filter(p -> Files.isRegularFile(p) && p.getFileName().toString().endsWith(".log")).count();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
