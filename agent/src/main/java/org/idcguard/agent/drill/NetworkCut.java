package org.idcguard.agent.drill;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Cuts this machine's root-owned processes (the manager and the node agents, and the caller) off from some local
 * computers with nftables, while PostgreSQL, which runs as an unprivileged user, goes on replicating between them: a
 * manager partitioned from an IDC that is alive. Packets are dropped, so connections hang as they do in a real cut.
 * Only where root and the nft command are available.
 */
public final class NetworkCut implements AutoCloseable {
    private final String table = "idcguard_cut_" + ProcessHandle.current().pid();

    public NetworkCut(List<String> addresses) {
        nft("add", "table", "ip", table);
        nft("add", "chain", "ip", table, "out", "{", "type", "filter", "hook", "output", "priority", "0", ";", "policy", "accept", ";", "}");
        // What a computer's own processes send each other stays: a node agent speaks to its PostgreSQL from its own
        // address (its lease failsafe asks it who streams), and a host is never cut off from itself.
        List<String> rule = new ArrayList<>(List.of("add", "rule", "ip", table, "out", "ip", "daddr", "{"));
        rule.add(String.join(", ", addresses));
        rule.addAll(List.of("}", "ip", "saddr", "!=", "{"));
        rule.add(String.join(", ", addresses));
        rule.addAll(List.of("}", "meta", "skuid", "0", "drop"));
        nft(rule.toArray(String[]::new));
    }

    /** Whether a cut can be made here: root, and nft answers. */
    public static boolean available() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return false;
        }
        try {
            return run("list", "tables") == 0;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() {
        nft("delete", "table", "ip", table);
    }

    private static void nft(String... args) {
        try {
            if (run(args) != 0) {
                throw new IllegalStateException("nft " + String.join(" ", args) + " failed.");
            }
        } catch (IOException e) {
            throw new IllegalStateException("nft could not be run: " + e.getMessage(), e);
        }
    }

    private static int run(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("nft"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            p.getInputStream().readAllBytes();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return -1;
            }
            return p.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
