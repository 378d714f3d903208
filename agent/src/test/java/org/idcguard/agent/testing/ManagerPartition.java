package org.idcguard.agent.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Cuts one manager of a quorum off from the others' ZooKeeper traffic while it still reaches every node agent and
 * PostgreSQL: the minority side of a partition. Its processes run in a cgroup of their own (started through
 * {@link #prefix()}), and nftables drops what its sockets send to or from a ZooKeeper port, and what anybody sends to
 * its own peer. Needs root, nftables and cgroup v2; {@link #available()} says so.
 */
public final class ManagerPartition implements AutoCloseable {
    private static final String PORTS = "{ 7490, 7491, 7492 }";
    private final String name = "idcg-cut-" + ProcessHandle.current().pid();
    private final String table = "idcguard_mcut_" + ProcessHandle.current().pid();
    private final Path cgroup;
    private final String nftPath;
    private boolean cut;

    public ManagerPartition() {
        Path root = cgroupRoot().orElseThrow(() -> new IllegalStateException("no cgroup v2 here"));
        this.cgroup = root.resolve(name);
        // nft names a cgroup by its path below /sys/fs/cgroup, whatever the mount point of the v2 hierarchy
        this.nftPath = Path.of("/sys/fs/cgroup").relativize(cgroup).toString();
        try {
            Files.createDirectories(cgroup);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot create the cgroup " + cgroup + ": " + e.getMessage(), e);
        }
    }

    public static boolean available() {
        return org.idcguard.agent.drill.NetworkCut.available() && cgroupRoot().isPresent();
    }

    private static java.util.Optional<Path> cgroupRoot() {
        try {
            return Files.readAllLines(Path.of("/proc/mounts")).stream().map(l -> l.split(" ")).filter(f -> f.length > 2 && f[2].equals("cgroup2"))
                    .map(f -> Path.of(f[1])).filter(p -> p.startsWith("/sys/fs/cgroup")).findFirst();
        } catch (IOException e) {
            return java.util.Optional.empty();
        }
    }

    /** The command prefix that runs a process (and all it starts) inside the cgroup. */
    public List<String> prefix() {
        return List.of("sh", "-c", "echo $$ > '" + cgroup.resolve("cgroup.procs") + "' && exec \"$@\"", "sh");
    }

    /** Drops the ZooKeeper traffic of the manager at host (whose processes run in the cgroup). */
    public void cut(String host) {
        nft("add", "table", "ip", table);
        nft("add", "chain", "ip", table, "out", "{", "type", "filter", "hook", "output", "priority", "0", ";", "policy", "accept", ";", "}");
        nft("add", "rule", "ip", table, "out", "socket", "cgroupv2", "level", "1", "\"" + nftPath + "\"", "tcp", "dport", PORTS, "drop");
        nft("add", "rule", "ip", table, "out", "socket", "cgroupv2", "level", "1", "\"" + nftPath + "\"", "tcp", "sport", PORTS, "drop");
        nft("add", "rule", "ip", table, "out", "ip", "daddr", host, "tcp", "dport", PORTS, "drop");
        cut = true;
    }

    public void heal() {
        if (cut) {
            nft("delete", "table", "ip", table);
            cut = false;
        }
    }

    /** Heals, moves any process left in the cgroup back to the root, and removes it. */
    @Override
    public void close() {
        heal();
        try {
            Path procs = cgroup.resolve("cgroup.procs");
            if (Files.exists(procs)) {
                for (String pid : Files.readAllLines(procs)) {
                    Files.writeString(cgroup.getParent().resolve("cgroup.procs"), pid);
                }
            }
            Files.deleteIfExists(cgroup);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot remove the cgroup " + cgroup + ": " + e.getMessage(), e);
        }
    }

    private static void nft(String... args) {
        List<String> command = new ArrayList<>(List.of("nft"));
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("nft " + String.join(" ", args) + " failed: " + out);
            }
        } catch (IOException e) {
            throw new IllegalStateException("nft could not be run: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
