package org.idcguard.agent.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Cuts the manager off from some computers with nftables, leaving them connected to each other: every packet that a
 * root-owned socket on this machine sends to those addresses is dropped (a black hole, not a refusal). The manager
 * and node agents run as root, PostgreSQL as the unprivileged user, so replication between the IDCs goes on while the
 * manager sees nothing of them. Needs root and the nft command; {@link #available()} says whether they are there.
 */
public final class ManagerPartition implements AutoCloseable {
    private final String table = "idcguard_test_" + ProcessHandle.current().pid();

    public ManagerPartition(List<String> addresses) {
        nft("add table ip " + table);
        nft("add chain ip " + table + " out { type filter hook output priority 0 ; policy accept ; }");
        nft("add rule ip " + table + " out ip daddr { " + String.join(", ", addresses) + " } meta skuid 0 drop");
    }

    public static boolean available() {
        try {
            return "root".equals(System.getProperty("user.name")) && run("list", "tables") == 0;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    @Override
    public void close() {
        nft("delete table ip " + table);
    }

    private static void nft(String command) {
        try {
            int rc = run(command.split(" "));
            if (rc != 0) {
                throw new IllegalStateException("nft " + command + " failed with exit status " + rc);
            }
        } catch (IOException e) {
            throw new IllegalStateException("nft " + command + ": " + e.getMessage(), e);
        }
    }

    private static int run(String... args) throws IOException {
        List<String> command = new java.util.ArrayList<>(List.of("nft"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return -1;
            }
            if (p.exitValue() != 0) {
                System.err.println("nft " + String.join(" ", args) + ": " + out);
            }
            return p.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
