package org.idcguard.agent.node;

import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.idcguard.agent.http.ApiFailure;
import org.idcguard.model.InstanceStatus;
import org.idcguard.model.NodeFault;

/**
 * Drill faults applied by a node agent to its own computer, for drills on computers of other hosts. They are refused
 * unless the computer allows drills ({@code node --allow-drills}; the local default allows them). A freeze or a
 * partition is ended by a timer in a detached shell, not by this agent: a frozen agent cannot wake itself, and a
 * partitioned one may never hear "restore".
 */
final class DrillFaults {
    static final String TABLE = "idcguard_drill";
    /** The answer leaves before the agent itself is stopped or exits. */
    private static final String ANSWER_FIRST = "sleep 0.2; ";
    private final String address;
    private final boolean allowed;
    private final PgInstances instances;

    DrillFaults(String address, boolean allowed, PgInstances instances) {
        this.address = address;
        this.allowed = allowed;
        this.instances = instances;
    }

    NodeFault.Struck apply(NodeFault fault) {
        fault.check();
        if (!allowed) {
            throw new ApiFailure(403, "Drills are not allowed on " + address + ": start its node agent with --allow-drills.", null);
        }
        List<Long> postgres = postgresProcesses();
        long self = ProcessHandle.current().pid();
        long at = System.currentTimeMillis() + 200;
        switch (fault.kind()) {
            case "power-off" -> {
                detached(ANSWER_FIRST + "kill -KILL " + join(postgres, self));
                return new NodeFault.Struck(address, at, postgres.size() + 1);
            }
            case "freeze" -> {
                String pids = join(postgres, self);
                detached(ANSWER_FIRST + "kill -STOP " + pids + "; sleep " + fault.seconds() + "; kill -CONT " + pids);
                return new NodeFault.Struck(address, at, postgres.size() + 1);
            }
            default -> {
                // checked now, applied once the answer has left: the rules would drop the answer to the manager
                java.nio.file.Path rules = partitionRules(fault.peers());
                detached(ANSWER_FIRST + "nft -f " + rules + "; rm -f " + rules + "; sleep " + fault.seconds()
                        + "; nft delete table inet " + TABLE);
                return new NodeFault.Struck(address, at, 0);
            }
        }
    }

    /** Ends a partition now (a freeze ends by its timer, a power-off by starting the agent again). */
    void restore() {
        run(List.of("nft", "delete", "table", "inet", TABLE), null);
    }

    /** Writes the partition's rules to a private file after nft has checked them; any table of an earlier one goes. */
    private java.nio.file.Path partitionRules(List<String> peers) {
        if (!"root".equals(System.getProperty("user.name"))) {
            throw new ApiFailure(409, "A partition needs the node agent of " + address + " to run as root (nftables).", null);
        }
        String set = peers.stream().collect(Collectors.joining(", ", "{ ", " }"));
        // both ends named: on a machine that hosts several computers (the local default) only this computer's
        // traffic with the peers is cut, never the peers' traffic with each other
        String between = "ip saddr " + address + " ip daddr " + set + " drop; ip saddr " + set + " ip daddr " + address + " drop;";
        String script = "table inet " + TABLE + " {\n"
                + " chain in { type filter hook input priority 0; " + between + " }\n"
                + " chain out { type filter hook output priority 0; " + between + " }\n}\n";
        if (run(List.of("nft", "-c", "-f", "-"), script) != 0) {
            throw new ApiFailure(409, "nftables refused the partition on " + address + ".", null);
        }
        restore();
        try {
            java.nio.file.Path file = java.nio.file.Files.createTempFile("idcguard-partition", ".nft",
                    java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                            java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
            java.nio.file.Files.writeString(file, script);
            return file;
        } catch (IOException e) {
            throw new IllegalStateException("Cannot write the partition's rules: " + e.getMessage(), e);
        }
    }

    private List<Long> postgresProcesses() {
        List<Long> pids = new ArrayList<>();
        if (instances == null) {
            return pids;
        }
        for (InstanceStatus status : instances.list()) {
            if (status.running()) {
                pids.add(status.pid());
                ProcessHandle.of(status.pid()).ifPresent(p -> p.descendants().forEach(d -> pids.add(d.pid())));
            }
        }
        return pids;
    }

    private static String join(List<Long> pids, long self) {
        List<Long> all = new ArrayList<>(pids);
        all.add(self);
        return all.stream().map(String::valueOf).collect(Collectors.joining(" "));
    }

    /** Runs a shell line in its own session, so it outlives this agent and is not stopped with it. */
    private static void detached(String line) {
        try {
            new ProcessBuilder("setsid", "sh", "-c", line).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.to(new File("/dev/null"))).start();
        } catch (IOException e) {
            throw new IllegalStateException("Cannot start the fault: " + e.getMessage(), e);
        }
    }

    private static int run(List<String> command, String input) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            if (input != null) {
                p.getOutputStream().write(input.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            p.getOutputStream().close();
            p.getInputStream().readAllBytes();
            return p.waitFor();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
